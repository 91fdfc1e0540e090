// Shared conventions of the `kpr` command line: exit codes and the error type commands throw.
// Both the generator's and the runtime's commands use these, so cron sees one contract.
import type { Command } from 'commander';

/** Exit codes, chosen for cron and systemd timers. */
export const EXIT = {
  ok: 0,
  /** Work was done, but some input was rejected (records, lint errors, stale files). */
  partial: 1,
  /** Nothing useful was done: bad arguments, configuration, I/O or transport failure. */
  failed: 2,
} as const;

/** An error meant for the person at the terminal: printed without a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A part of kpr-kit that owns commands adds them to the program through one of these. */
export type Registrar = (program: Command) => void;
