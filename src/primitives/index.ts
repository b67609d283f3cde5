export { Queue } from './queue.js';
export { type Release, Semaphore } from './semaphore.js';
export { sleep } from './sleep.js';
export { type TaskGroup, taskGroup } from './task-group.js';
export { type Work, withTimeout } from './timeout.js';
