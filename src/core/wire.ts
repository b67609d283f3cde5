/**
 * The one form in which an error crosses a boundary — from a worker thread or process to
 * its pool, from a pool to its worker (a cancellation's reason), from a distributed worker
 * through Redis to its executor — and the way back. A switchyard error comes back as its
 * own class with its own fields (`timeoutMs`, `exitCode`, `path`, …); any other error comes
 * back as an `Error` with the thrown error's name, message, stack, `code` and plain fields.
 * Causes travel too, so a `TaskError` keeps the task's own error, and so do an
 * `AggregateError`'s `errors` (as from `Promise.any`), so it comes back an `AggregateError`.
 *
 * Which is which is decided by a mark, never by the code: {@link toWire} sets `switchyard`
 * only on an error that is a {@link SwitchyardError} (of any copy of switchyard), and only
 * a marked error whose code names a class is rebuilt as that class. A task's own error
 * whose `code` happens to be one of switchyard's (Node's `AbortError` is `ABORT_ERR`)
 * comes back as the task's error, as it would on the calling thread.
 */
import { brand, describe, type ErrorClass, errorClassOf, SwitchyardError } from './errors.js';

/** An error flattened to structured-cloneable (and JSON-safe) data. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  /** A switchyard error's code, or whatever `code` the thrown error had (`'ENOENT'`, …). */
  readonly code?: unknown;
  /** The error's own fields with plain values: `timeoutMs`, `exitCode`, `errno`, `statusCode`… */
  readonly fields?: Readonly<Record<string, Primitive>> | undefined;
  readonly cause?: WireError | undefined;
  /** An `AggregateError`'s errors. */
  readonly errors?: readonly WireError[] | undefined;
  /** Set only when the error was one of switchyard's own: rebuilt as its class, by `code`. */
  readonly switchyard?: true | undefined;
}

type Primitive = string | number | boolean | null;

/** Fields every error has, carried on their own. */
const OWN = new Set(['name', 'message', 'stack', 'code', 'cause']);
/** How deep a chain of causes is followed (a cycle would otherwise never end). */
const MAX_CAUSES = 8;
/**
 * Most errors one thrown value is flattened into, causes and aggregated errors together:
 * aggregates nested in aggregates would otherwise grow without bound.
 */
const MAX_ERRORS = 256;

/** Flattens any thrown value: an Error with its fields and causes, anything else described in words. */
export function toWire(error: unknown): WireError {
  return flatten(error, 0, { left: MAX_ERRORS });
}

function flatten(error: unknown, depth: number, budget: { left: number }): WireError {
  budget.left--;
  if (!(error instanceof Error)) {
    return { name: 'Error', message: `non-error value thrown: ${describe(error)}` };
  }
  const code = (error as { code?: unknown }).code;
  const fields = plainFields(error);
  const { cause } = error as { cause?: unknown };
  const follow = depth < MAX_CAUSES;
  const wire: WireError = {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(code === undefined ? {} : { code }),
    ...(fields ? { fields } : {}),
    ...(cause === undefined || !follow || budget.left <= 0
      ? {}
      : { cause: flatten(cause, depth + 1, budget) }),
    ...(error instanceof SwitchyardError ? { switchyard: true as const } : {}),
  };
  if (!(error instanceof AggregateError) || !Array.isArray(error.errors) || !follow) return wire;
  const errors: WireError[] = [];
  for (const each of error.errors) {
    if (budget.left <= 0) break;
    errors.push(flatten(each, depth + 1, budget));
  }
  return { ...wire, errors };
}

/** Rebuilds an error from {@link toWire}: switchyard's own class where it was one of switchyard's. */
export function fromWire(wire: WireError): Error {
  const cause = wire.cause === undefined ? undefined : fromWire(wire.cause);
  const options = cause === undefined ? undefined : { cause };
  const Class = classOf(wire);
  // Built without running the class's constructor, which would compose a new message.
  const error: Error = Class
    ? Reflect.construct(Error, [wire.message, options], Class)
    : wire.errors
      ? new AggregateError(wire.errors.map(fromWire), wire.message, options)
      : new Error(wire.message, options);
  Object.defineProperty(error, 'name', { value: wire.name, writable: true, configurable: true });
  if (wire.code !== undefined) Object.assign(error, { code: wire.code });
  if (wire.fields) Object.assign(error, wire.fields);
  if (Class) brand(error);
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

/** True when the wire carries one of switchyard's own errors (as opposed to a task's). */
export function isSwitchyardWire(wire: WireError): boolean {
  return classOf(wire) !== undefined;
}

/** Switchyard's class for a marked error; none for anything else, whatever its `code`. */
function classOf(wire: WireError): ErrorClass | undefined {
  return wire.switchyard === true ? errorClassOf(wire.code) : undefined;
}

function plainFields(error: Error): Record<string, Primitive> | undefined {
  let fields: Record<string, Primitive> | undefined;
  for (const key of Object.keys(error)) {
    if (OWN.has(key)) continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    const type = typeof value;
    if (value === null || type === 'string' || type === 'number' || type === 'boolean') {
      fields ??= {};
      fields[key] = value as Primitive;
    }
  }
  return fields;
}
