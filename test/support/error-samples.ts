/** One error of each of switchyard's classes, as switchyard makes them: for tests that must cover every class. */
import {
  CancelledError,
  ExecutorClosedError,
  JobFailedError,
  QueueClosedError,
  QueueFullError,
  RedisConnectionError,
  SerializationError,
  TaskError,
  TaskLostError,
  TaskNotFoundError,
  TimeoutError,
  WorkerCrashedError,
} from '../../src/index.js';

export const ONE_OF_EACH = [
  new TaskError(new RangeError('boom'), 'jobs#resize'),
  new TimeoutError(200),
  new CancelledError(),
  new WorkerCrashedError({ exitCode: 3 }),
  new SerializationError('input.fn', 'is a function'),
  new TaskNotFoundError('file:///jobs.js', 'resize', 'no export resize'),
  new ExecutorClosedError('loop'),
  new QueueFullError(10),
  new RedisConnectionError('127.0.0.1:6379', 'unreachable', 'gone'),
  new QueueClosedError('put'),
  new TaskLostError('abc-1', 'Redis has no job abc-1 and no result for it'),
  new JobFailedError('abc-2', 'unsupported protocol version 9'),
];
