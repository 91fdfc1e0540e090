// `kpr xml`: a JSON-form Melding in, validated XML out (or back with --to-json). Nothing is
// written unless the whole input is valid, so a pipeline never ships half a message.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { getMessage, MESSAGES } from '../../generated/index.ts';
import { EXIT, UserError } from '../cli/program.ts';
import { writePrivateFile } from '../io/private.ts';
import { describeAjvErrors, formatFinding, type Finding } from './validation.ts';

type Validate = ((d: unknown) => boolean) & { errors?: unknown };

function readInput(file: string | undefined): string {
  try {
    return readFileSync(file ?? 0, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${file ?? 'standard input'}: ${(err as Error).message}`);
  }
}

function writeOutput(file: string | undefined, text: string): void {
  // A Melding holds health data and identity numbers: owner-only.
  if (file) writePrivateFile(file, text);
  else process.stdout.write(text);
}

export function validateMelding(specId: string, data: unknown): Finding[] {
  const m = getMessage(specId);
  const validate = m.validators[`validate${m.root}`] as Validate;
  return validate(data) ? [] : describeAjvErrors(validate.errors as never);
}

function fail(what: string, findings: Finding[]): never {
  for (const f of findings) process.stderr.write(`${what}${formatFinding(f)}\n`);
  throw new UserError(`${findings.length} problem${findings.length === 1 ? '' : 's'}; nothing written`, EXIT.partial);
}

export function register(program: Command): void {
  program
    .command('xml')
    .description('Validate a JSON-form Melding and write it as XML (or XML back to JSON with --to-json)')
    .requiredOption('--spec <id>', `message version, one of: ${Object.keys(MESSAGES).join(', ')}`)
    .option('--in <file>', 'input file (default: standard input)')
    .option('--out <file>', 'output file, written only when valid (default: standard output)')
    .option('--to-json', 'convert XML to the JSON form instead')
    .action((opts: { spec: string; in?: string; out?: string; toJson?: boolean }) => {
      if (!MESSAGES[opts.spec]) throw new UserError(`unknown --spec ${opts.spec}; known: ${Object.keys(MESSAGES).join(', ')}`);
      const m = getMessage(opts.spec);
      const where = opts.in ? `${opts.in}: ` : '';
      const text = readInput(opts.in);
      if (opts.toJson) {
        let data: unknown;
        try {
          data = m.xml.fromXml(text);
        } catch (err) {
          throw new UserError(`${where}${(err as Error).message}`, EXIT.partial);
        }
        const findings = validateMelding(opts.spec, data);
        if (findings.length) fail(where, findings);
        writeOutput(opts.out, `${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new UserError(`${where}not valid JSON: ${(err as Error).message}`, EXIT.partial);
      }
      const findings = validateMelding(opts.spec, data);
      if (findings.length) fail(where, findings);
      let xml: string;
      try {
        xml = m.xml.toXml(data as never);
      } catch (err) {
        // The codec names the JSON path of a character XML 1.0 cannot carry.
        throw new UserError(`${where}${(err as Error).message}; nothing written`, EXIT.partial);
      }
      writeOutput(opts.out, xml);
    });
}
