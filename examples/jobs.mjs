// Task functions live in a module of their own, so that any mode can import them where it
// runs them.

/**
 * Downloads one page and returns its size in bytes; throws for anything but 200.
 * @param {string} url
 * @param {import('switchyard').TaskContext} ctx
 */
export async function download(url, ctx) {
  const res = await fetch(url, { signal: ctx.signal });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.arrayBuffer()).byteLength;
}
