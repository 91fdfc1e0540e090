// Dates on the command line: the obligation's first day, and the parser of a YYYY-MM-DD option
// (commander's argument parser), shared by the jobs' commands and the work queue's.
import { InvalidArgumentError } from 'commander';

/** The obligation's start: Helsedirektoratet's order covers every consultation since this day. */
export const OBLIGATION_START = '2017-01-01';

/** A `--from`/`--to` value: a real day written YYYY-MM-DD. */
export function dateArgument(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return v;
}
