/**
 * bullmq and ioredis are optional peer dependencies: only `distributed` and `switchyard
 * worker` need them, so a program that never uses a cluster installs and loads neither.
 * They are imported on first use; when they are missing, the error says what to install.
 */

const INSTALL = 'npm install bullmq ioredis';

/** BullMQ, for the distributed executor and worker. */
export function loadBullmq(): Promise<typeof import('bullmq')> {
  return importPeer('bullmq', () => import('bullmq'));
}

/** ioredis, for the distributed executor and worker. */
export function loadIoredis(): Promise<Pick<typeof import('ioredis'), 'Redis'>> {
  return importPeer('ioredis', () => import('ioredis'));
}

async function importPeer<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    throw Object.assign(
      new Error(
        `the distributed mode needs the optional packages bullmq and ioredis, and '${name}' is not installed; run: ${INSTALL}`,
        { cause: error },
      ),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
  }
}

function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(`'${name}'`)
  );
}
