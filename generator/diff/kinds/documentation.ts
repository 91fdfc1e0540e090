// Descriptions, usage notes, comments and examples of classes and attributes. Usage notes often
// carry rules in prose ("Kode E og K skal kun benyttes dersom ..."), so vendors want to see them,
// but the machine-checked rules are reported by other kinds.
import type { Code } from '../../model/types.ts';
import { named, pair, site } from '../context.ts';
import type { SourcePos } from '../../model/types.ts';
import { kind, type DiffRule } from './rule.ts';

const documentationChanged = kind(
  'documentation-changed',
  'info',
  'documentation-changed',
  'A description, usage note, comment, example or origin changed (of a class, an attribute, a code list or a code). Read it: usage notes can state rules in prose that no validator checks.',
);

const FIELDS = [
  ['description', 'Beskrivelse'],
  ['usage', 'Bruk'],
  ['comment', 'Kommentar'],
  ['examples', 'Eksempler'],
  ['origin', 'Opprinnelse'],
  ['usageComment', 'Kommentar i brukstabellen'],
] as const;

type Documented = Partial<Record<(typeof FIELDS)[number][0], string | string[]>> & { at: SourcePos };

function text(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join('\n') : v;
}

export const documentation: DiffRule = {
  kinds: [documentationChanged],
  detect(ctx) {
    const compare = (path: string, what: string, a: Documented, b: Documented, label: string) => {
      for (const [field, nb] of FIELDS) {
        const x = text(a[field]),
          y = text(b[field]);
        if (x === y) continue;
        const verb = x === undefined ? 'was added' : y === undefined ? 'was removed' : 'changed';
        ctx.emit(documentationChanged, {
          path: `${path}/${field}`,
          label,
          before: site(a.at),
          after: site(b.at),
          from: x,
          to: y,
          description: `${named(field, nb)} of ${what} ${verb}.`,
        });
      }
    };
    for (const c of ctx.classes) {
      if (c.a && c.b) compare(ctx.classPath(c.name), `class ${named(c.name, c.b.label)}`, c.a, c.b, c.b.label);
    }
    for (const p of ctx.attributes) {
      if (p.a && p.b) compare(p.path, `attribute ${named(p.name, p.b.label)} on ${p.cls}`, p.a, p.b, p.b.label);
    }
    for (const list of ctx.codelists) {
      if (!list.a || !list.b) continue;
      compare(`codelists/${list.name}`, `code list ${named(list.name, list.b.name)}`, list.a, list.b, list.b.name);
      for (const c of pair<Code>(list.a.codes, list.b.codes, (x) => x.code)) {
        if (c.a && c.b) compare(`codelists/${list.name}/${c.name}`, `code ${c.name} in list ${list.name}`, c.a, c.b, c.b.text);
      }
    }
  },
};
