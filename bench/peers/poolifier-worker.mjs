import { ThreadWorker } from 'poolifier';
import { run } from './jobs.mjs';

export default new ThreadWorker(run);
