// Task functions live in a module of their own, so that any mode can import them where it
// runs them. A .ts module needs no build step.
import type { TaskContext } from 'switchyard';

/** Downloads one page and returns its size in bytes; throws for anything but 200. */
export async function download(url: string, ctx: TaskContext): Promise<number> {
  const res = await fetch(url, { signal: ctx.signal });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.arrayBuffer()).byteLength;
}
