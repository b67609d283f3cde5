import { readFileSync } from 'node:fs';

/** The package version, read from the package.json shipped beside `dist/`. */
export function readVersion(): string {
  const manifest = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
