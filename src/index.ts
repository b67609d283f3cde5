export { DEFAULTS, defaultWorkers } from './core/defaults.js';
export {
  CancelledError,
  ERROR_CODES,
  type ErrorCode,
  ExecutorClosedError,
  QueueClosedError,
  QueueFullError,
  RedisConnectionError,
  SerializationError,
  SwitchyardError,
  TaskError,
  TaskLostError,
  TaskNotFoundError,
  TimeoutError,
  WorkerCrashedError,
  type WorkerExit,
} from './core/errors.js';
export type {
  AutoOptions,
  CommonOptions,
  DistributedOptions,
  ExecutorOptions,
  LoopOptions,
  PoolOptions,
  ProcessesOptions,
  SyncOptions,
  ThreadsOptions,
} from './core/options.js';
export {
  type InputOf,
  type OutputOf,
  type Task,
  type TaskContext,
  type TaskFunction,
  type TaskLike,
  type TasksOf,
  task,
  tasks,
} from './core/task.js';
export {
  type CloseOptions,
  type Decision,
  type Executor,
  type ExecutorStats,
  type MapOptions,
  MODES,
  type Mode,
  type Settled,
  type SubmitOptions,
  type Workload,
} from './core/types.js';
export { AVAILABLE_MODES, createExecutor } from './executor/create.js';
export {
  Queue,
  type Release,
  Semaphore,
  sleep,
  type TaskGroup,
  taskGroup,
  withTimeout,
} from './primitives/index.js';
