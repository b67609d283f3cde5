/** Parsers for numeric command-line options: a bad value becomes commander's one-line error. */
import { InvalidArgumentError } from 'commander';

/** Parses an integer >= `min`. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`must be an integer >= ${min}.`);
    }
    return n;
  };
}
