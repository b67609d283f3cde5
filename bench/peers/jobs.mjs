// The jobs every contender runs, as plain JavaScript from the built package.
import { sumOfSquares } from '../../dist/bench/jobs/cpu.js';

export { sumOfSquares };
export const tiny = (n) => n + 1;
export const run = ({ job, arg }) => (job === 'cpu' ? sumOfSquares(arg) : arg + 1);
export default run;
