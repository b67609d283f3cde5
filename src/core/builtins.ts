/**
 * Node built-ins that only some programs need, loaded on first use instead of at import.
 * `import 'switchyard'` is on every program's cold start, and these (an HTTP server,
 * hashing, child processes, V8 serialization) took ~7 ms of it to load, mostly for
 * programs that never touch them.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A getter for built-in `name` that loads it on its first call. */
export function builtin<T>(name: `node:${string}`): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(name) as T;
    return loaded;
  };
}
