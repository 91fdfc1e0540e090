// The record-rule catalogue is the one place rule ids come from: every id the runtime writes is
// in it, every finding's rule is an id of it (no bare names left), and ids are well-formed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, rule, ruleOf, schemaRule } from '../../runtime/rules/catalogue.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|mjs)$/.test(n) ? [p] : [];
  });
}

describe('record rule catalogue', () => {
  it('has unique, well-formed ids and names, with an owner and a consequence each', () => {
    const names = new Set<string>();
    for (const d of RULES.values()) {
      expect(d.id).toMatch(/^REC\d{4}$/);
      expect(d.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(names.has(d.name), d.name).toBe(false);
      names.add(d.name);
      expect(d.summary.length).toBeGreaterThan(10);
      expect(d.hint.length).toBeGreaterThan(10);
      // Only the receiver's published controls quote a source; the kit's rules never claim one.
      if (d.owner === 'kit') expect(d.source).toBeUndefined();
    }
  });

  it('knows every rule id the runtime writes, and the runtime writes no bare rule names', () => {
    const unknown: string[] = [];
    const bare: string[] = [];
    for (const f of sources('runtime')) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/'(REC\d{4})'/g)) if (!RULES.has(m[1])) unknown.push(`${f}: ${m[1]}`);
      // A finding's rule written as a literal that is not a catalogue id.
      for (const m of text.matchAll(/\b(?:rule: |reject\()['`]([\w/${}.-]+)['`]/g)) if (!/^REC\d{4}$/.test(m[1]) && m[1] !== 'receiver') bare.push(`${f}: ${m[1]}`);
    }
    expect(unknown).toEqual([]);
    expect(bare).toEqual([]);
  });

  it('finds rules by id and by name, and maps every schema keyword to a REC2 rule', () => {
    expect(rule('fnr-check-digit').id).toBe('REC4001');
    expect(rule('REC4001').owner).toBe('kit');
    expect(ruleOf('no-such-rule')).toBeUndefined();
    expect(() => rule('nope' as never)).toThrow(/not in the catalogue/);
    for (const k of ['required', 'type', 'pattern', 'maxLength', 'enum', 'minimum', 'const', 'additionalProperties', 'oneOf']) expect(schemaRule(k)).toMatch(/^REC20/);
  });
});
