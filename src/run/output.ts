/**
 * Appends result lines to the output file. Lines are batched (one `write` per batch rather
 * than per result) and a batch always holds whole lines, so a crash can tear at most the
 * last line — which resume cuts off. A batch goes out when it reaches
 * {@link FLUSH_BYTES} or is {@link FLUSH_MS} old, so a killed run loses at most that much.
 */
import { type FileHandle, open } from 'node:fs/promises';

/** Most time a finished result waits in memory before it is written. */
export const FLUSH_MS = 200;
/** Batch size that is written at once, and past which `write` waits (backpressure). */
export const FLUSH_BYTES = 64 * 1024;

export class OutputWriter {
  readonly #handle: FileHandle;
  #lines: string[] = [];
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #failure: unknown;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** Opens `path` for appending, creating it if needed. */
  static async open(path: string): Promise<OutputWriter> {
    return new OutputWriter(await open(path, 'a'));
  }

  /** Queues one line (without its newline); resolves at once unless a full batch is being written. */
  write(line: string): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    this.#lines.push(line);
    this.#bytes += line.length + 1;
    if (this.#bytes >= FLUSH_BYTES) return this.flush();
    this.#timer ??= setTimeout(() => void this.flush().catch(() => {}), FLUSH_MS);
    return Promise.resolve();
  }

  /** Writes every queued line; resolves once they are in the file. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lines.length > 0) {
      const batch = Buffer.from(`${this.#lines.join('\n')}\n`);
      this.#lines = [];
      this.#bytes = 0;
      this.#writing = this.#writing.then(() => this.#writeAll(batch));
      this.#writing.catch((error: unknown) => {
        this.#failure ??= error;
      });
    }
    return this.#writing;
  }

  /** Flushes, then closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.#handle.close();
    }
  }

  async #writeAll(batch: Buffer): Promise<void> {
    for (let offset = 0; offset < batch.length; ) {
      const { bytesWritten } = await this.#handle.write(batch, offset);
      offset += bytesWritten;
    }
  }
}
