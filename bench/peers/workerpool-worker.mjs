import workerpool from 'workerpool';
import { run } from './jobs.mjs';

workerpool.worker({ run });
