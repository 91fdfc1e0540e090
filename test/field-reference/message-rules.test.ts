// The rules of the published text (`rules:`) in the field reference: every rule of iplos@56.0.0
// shown with its id, chapter, quoted text and what the kit does; and every quoted text found word
// for word in the official Word text (the pieces between "…"), so a rule cannot drift from its
// source. HST 56.0.0's Word text has none: its only chapter before the information model is the
// introduction (NPR's general text on specialist-care units, names, namespaces), so it carries none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitFieldReference } from '../../generator/emit/field-reference.ts';
import { loadSpecRoot } from '../../generator/load/index.ts';
import type { MessageSpec } from '../../generator/model/types.ts';
import { RULES as KIT_RULES } from '../../runtime/rules/catalogue.ts';
import { referenceDir } from '../helpers/reference.ts';

const specRoot = fileURLToPath(new URL('../../spec', import.meta.url));
const specs = loadSpecRoot(specRoot).value!;
const find = (message: string): MessageSpec => specs.find((s) => s.message === message && s.version === '56.0.0')!;
const words = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('rules of the published text', () => {
  const iplos = find('iplos');

  it('IPLOS carries rules from each of chapters 2-8, with unique ids', () => {
    const chapters = new Set(iplos.rules.map((r) => r.chapter.split('.')[0]));
    expect([...chapters].sort()).toEqual(['2', '3', '4', '5', '6', '7', '8']);
    expect(new Set(iplos.rules.map((r) => r.id)).size).toBe(iplos.rules.length);
  });

  it('each rule is enforced by rules of the catalogue, or says why not', () => {
    for (const r of iplos.rules) {
      expect(!!r.enforcedBy !== !!r.notEnforced, r.id).toBe(true);
      for (const id of r.enforcedBy ?? []) expect(KIT_RULES.has(id), `${r.id}: ${id}`).toBe(true);
      if (r.notEnforced) expect(r.notEnforced.length, r.id).toBeGreaterThan(20);
    }
  });

  it('quotes the Word text word for word, shortened only with …', () => {
    const doc = words(readFileSync(join(referenceDir(), 'iplos-56.0.0', 'XPR(ipl).docx.txt'), 'utf8'));
    for (const r of iplos.rules) {
      for (const piece of r.text.split('…').map(words).filter(Boolean)) expect(doc, `${r.id}: «${piece}»`).toContain(piece);
      // The chapter is named as in the table of contents.
      expect(doc, r.id).toContain(words(r.chapter));
    }
  });

  it("the field reference shows every rule with its id, chapter, text and the kit's answer", () => {
    const md = emitFieldReference(iplos, 'spec/iplos/56.0.0.yaml');
    for (const r of iplos.rules) {
      expect(md).toContain(`**${r.id}** `);
      expect(md).toContain(`(${r.chapter})`);
      expect(md).toContain(`«${r.text}»`);
      expect(md).toContain(r.enforcedBy ? `Kit: enforced by ${r.enforcedBy.map((x) => `\`${x}\``).join(', ')}.` : `Kit: not enforced. ${r.notEnforced}`);
    }
  });

  it('HST carries none: its Word text has no chapters of rules before the information model', () => {
    expect(find('hst').rules).toEqual([]);
    expect(emitFieldReference(find('hst'), 'spec/hst/56.0.0.yaml')).not.toContain('## Rules of the published text');
  });
});
