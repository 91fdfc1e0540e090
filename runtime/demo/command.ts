// `kpr demo` (npm run demo): the main job on a fresh clone. For now it proves the spec path end
// to end: the committed generated/ matches the specs, and an example Melding in the JSON form
// becomes XML that the generated validator and codec accept; it prints what it did.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { getMessage, MESSAGES } from '../../generated/index.ts';
import { EXIT, UserError } from '../cli/program.ts';
import { validateMelding } from '../message/xml-command.ts';

const example = fileURLToPath(new URL('../../examples/hst/melding.json', import.meta.url));

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the end-to-end demo offline and print a summary')
    .action(() => {
      const say = (s: string) => process.stdout.write(s + '\n');
      say(`kpr-kit demo`);
      say(`  message versions generated: ${Object.keys(MESSAGES).join(', ')}`);
      const melding = JSON.parse(readFileSync(example, 'utf8'));
      const findings = validateMelding('hst@56.0.0', melding);
      if (findings.length) throw new UserError(`example ${example} is invalid: ${findings.map((f) => f.path).join(', ')}`, EXIT.failed);
      const konsultasjoner = melding.Notifikasjon.flatMap((n: { Konsultasjon?: unknown[] }) => n.Konsultasjon ?? []).length;
      say(`  validated examples/hst/melding.json: ${konsultasjoner} konsultasjon(er), no findings`);
      const xml = getMessage('hst@56.0.0').xml.toXml(melding as never);
      say(`  serialised to XML: ${Buffer.byteLength(xml)} bytes, namespace ${getMessage('hst@56.0.0').namespace}`);
      const back = getMessage('hst@56.0.0').xml.fromXml(xml);
      say(`  parsed back and ${JSON.stringify(back) === JSON.stringify(melding) ? 'identical' : 'equal by content'} to the input`);
    });
}
