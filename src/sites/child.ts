/**
 * The program {@link spawnSitesServer} runs in a child process: it starts a sites server
 * with the options given as its one argument (JSON), tells its parent over the IPC channel
 * where it listens and what it serves, and ends when that channel closes.
 *
 * The channel closes when the parent disconnects it, exits or is killed — even by SIGKILL,
 * which runs no clean-up code: the kernel closes the parent's end of the socket. So the
 * server never outlives the program that started it.
 *
 * @module
 */
import { type SitesServerOptions, startSitesServer } from './server.js';

/** What the child reports once it listens: enough to address and verify every site. */
export interface SitesServerReady {
  readonly url: string;
  readonly sites: number;
  readonly latencyMs: number;
  readonly meanLatencyMs: number;
  readonly checksums: readonly string[];
  /** Each site's fixed latency in ms, in site order. */
  readonly latencies: readonly number[];
}

if (!process.send) {
  process.stderr.write('sites server: started without an IPC channel; use spawnSitesServer()\n');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));

try {
  const options = JSON.parse(process.argv[2] ?? '{}') as SitesServerOptions;
  const server = await startSitesServer(options);
  const ready: SitesServerReady = {
    url: server.url,
    sites: server.sites,
    latencyMs: server.latencyMs,
    meanLatencyMs: server.meanLatencyMs,
    checksums: Array.from({ length: server.sites }, (_, i) => server.checksum(i)),
    latencies: Array.from({ length: server.sites }, (_, i) => server.siteLatencyMs(i)),
  };
  process.send(ready);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
