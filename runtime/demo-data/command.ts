// `kpr demo-data`: writes a synthetic demo-EPJ extract (NDJSON, one consultation version per
// line, in change-time order) for demos, mapping tests and benchmarks; with --appointments also
// the same EPJ's appointments (the source of FHI's HST_Avtale) into a second file.

import type { Command } from 'commander';
import { EXIT, UserError } from '../cli/program.ts';
import { generateRecords, makeContext, type DemoDataOptions } from './generate.ts';
import { writeNdjson } from './write.ts';
import { isDeletion, type DemoRecord } from './record.ts';
import { generateAppointments } from './appointments.ts';
import { isAppointmentDeletion, type AppointmentLine } from './appointment-record.ts';

interface CliOptions {
  children: string;
  from: string;
  to: string;
  today?: string;
  seed: string;
  out?: string;
  appointments?: string;
  editRate: string;
  deleteRate: string;
  badRate: string;
  municipalities: string;
}

function toNumber(name: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UserError(`--${name} must be a number, got "${text}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command('demo-data')
    .description('Write a synthetic demo-EPJ extract (NDJSON, see examples/demo-epj/README.md): deterministic by seed, streamed')
    .option('--children <n>', 'number of children in the demo municipalities', '1000')
    .option('--from <date>', 'first day of the window (YYYY-MM-DD, UTC)', '2017-01-01')
    .option('--to <date>', 'last day of the window, inclusive', '2026-12-31')
    .option('--today <date>', "the extract's now: nothing registered or changed later is written (default: end of --to)")
    .option('--seed <seed>', 'seed: same seed and options give byte-identical output', 'kpr-demo')
    .option('--out <file>', 'output file, written atomically ("-" or absent: stdout)')
    .option('--appointments <file>', 'also write the appointment extract (NDJSON, see examples/demo-epj-appointments/README.md) to this file, atomically')
    .option('--edit-rate <p>', 'share of consultations corrected later (second version)', '0.05')
    .option('--delete-rate <p>', 'share of consultations deleted later (tombstone)', '0.01')
    .option('--bad-rate <p>', 'share of versions spoiled on purpose, marked "_defect" (test only)', '0')
    .option('--municipalities <n>', 'number of municipalities (1-24)', '3')
    .addHelpText(
      'after',
      '\nExample:\n  kpr demo-data --children 2000 --seed 7 --out epj.ndjson\n  kpr demo-data --children 50 --bad-rate 0.05 | head\n  kpr demo-data --children 200 --out epj/extract.ndjson --appointments epj/appointments.ndjson',
    )
    .action(async (o: CliOptions) => {
      const opts: DemoDataOptions = {
        children: toNumber('children', o.children),
        from: o.from,
        to: o.to,
        today: o.today,
        seed: o.seed,
        editRate: toNumber('edit-rate', o.editRate),
        deleteRate: toNumber('delete-rate', o.deleteRate),
        badRate: toNumber('bad-rate', o.badRate),
        municipalities: toNumber('municipalities', o.municipalities),
      };
      try {
        makeContext(opts); // report bad options before any output is opened
      } catch (err) {
        if (err instanceof RangeError) throw new UserError(err.message, EXIT.failed);
        throw err;
      }
      if (o.appointments === '' || o.appointments === '-') {
        throw new UserError('--appointments needs a file name (stdout carries the consultations)', EXIT.failed);
      }
      const counts = { edits: 0, deletions: 0, defects: 0 };
      const tty = process.stderr.isTTY === true;
      let nextReport = Date.now() + 1000;
      let seen = 0;
      const onRecord = (r: DemoRecord) => {
        seen++;
        if (isDeletion(r)) counts.deletions++;
        else {
          if (r.version > 1) counts.edits++;
          if (r._defect) counts.defects++;
        }
        if (tty && (seen & 0x3fff) === 0 && Date.now() >= nextReport) {
          nextReport = Date.now() + 1000;
          process.stderr.write(`\rkpr demo-data: ${seen} records, up to ${r.changedAt.slice(0, 10)}`);
        }
      };
      let result: Awaited<ReturnType<typeof writeNdjson>>;
      try {
        result = await writeNdjson(generateRecords(opts), o.out, onRecord);
      } catch (err) {
        throw new UserError(`cannot write ${o.out ?? 'stdout'}: ${(err as Error).message}`, EXIT.failed);
      }
      if (tty) process.stderr.write('\r\x1b[K');
      process.stderr.write(
        `kpr demo-data: ${result.written} records (${counts.edits} edits, ${counts.deletions} deletions, ${counts.defects} defective) to ${o.out && o.out !== '-' ? o.out : 'stdout'}${result.closedEarly ? ', stopped when the reader closed the output' : ''}\n`,
      );
      if (o.appointments !== undefined) await writeAppointments(opts, o.appointments);
    });
}

/** The appointment extract, into its own file: the consultation output stays as it was. */
async function writeAppointments(opts: DemoDataOptions, file: string): Promise<void> {
  const counts = { edits: 0, deletions: 0, defects: 0 };
  const units = new Set<string>();
  const onLine = (r: AppointmentLine) => {
    if (isAppointmentDeletion(r)) counts.deletions++;
    else {
      if (r.version > 1) counts.edits++;
      if (r._defect) counts.defects++;
    }
    if (r.unit) units.add(r.unit.id);
  };
  let result: Awaited<ReturnType<typeof writeNdjson>>;
  try {
    result = await writeNdjson(generateAppointments(opts), file, onLine);
  } catch (err) {
    throw new UserError(`cannot write ${file}: ${(err as Error).message}`, EXIT.failed);
  }
  process.stderr.write(
    `kpr demo-data: ${result.written} appointments at ${units.size} units (${counts.edits} corrections, ${counts.deletions} deletions, ${counts.defects} defective) to ${file}\n`,
  );
}
