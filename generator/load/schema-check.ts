// First check of a spec or code list file: its shape against spec/*.schema.json, the same
// schema editors use. Ajv's errors are turned into catalogued diagnostics at YAML positions.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { diag, type Diagnostic } from '../diagnostics.ts';
import { pointerPath } from '../../runtime/yaml/positions.ts';
import type { YamlSource } from './source.ts';

const specDir = fileURLToPath(new URL('../../spec/', import.meta.url));
let validators: { message: ValidateFunction; codelist: ValidateFunction } | undefined;

function compiled() {
  if (!validators) {
    // coerceTypes: a maintainer writing `codelist: 7371` or `code: 1` means the text "7371".
    const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: true });
    validators = {
      message: ajv.compile(JSON.parse(readFileSync(`${specDir}spec.schema.json`, 'utf8'))),
      codelist: ajv.compile(JSON.parse(readFileSync(`${specDir}codelist.schema.json`, 'utf8'))),
    };
  }
  return validators;
}

/** Validate (and coerce, in place) `data` read from `source`. */
export function checkShape(kind: 'message' | 'codelist', data: unknown, source: YamlSource): Diagnostic[] {
  const validate = compiled()[kind];
  if (validate(data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const d = toDiagnostic(e, source);
    if (!d) continue;
    const k = `${d.line}:${d.col}:${d.id}:${d.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(d);
    }
  }
  return out;
}

function where(path: (string | number)[]): string {
  return path.length ? path.join('.') : 'the top level';
}

function toDiagnostic(e: ErrorObject, source: YamlSource): Diagnostic | undefined {
  const path = pointerPath(e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      return diag('KPR1003', source.pos([...path, key], { key: true }), `unknown key \`${key}\` in ${where(path)}`);
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      return diag('KPR1004', source.pos(path, { key: true }), `${where(path)} needs \`${key}\``);
    }
    case 'type':
      return diag('KPR1005', source.pos(path), `${where(path)} must be ${(e.params as { type: string }).type}`);
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.join(', ');
      return diag('KPR1006', source.pos(path), `${where(path)} must be one of: ${allowed}`);
    }
    case 'pattern':
      return diag('KPR1006', source.pos(path), `${where(path)} has the wrong form (expected ${describePattern(e)})`);
    case 'propertyNames':
    case 'if':
      return undefined; // reported by the nested error that says why
    default:
      return diag('KPR1006', source.pos(path), `${where(path)} ${e.message ?? 'is not valid'}`);
  }
}

function describePattern(e: ErrorObject): string {
  const p = (e.params as { pattern: string }).pattern;
  if (p.includes('\\d{4}-\\d{2}-\\d{2}')) return 'a date YYYY-MM-DD';
  if (p.startsWith('^\\d+\\.\\d+\\.\\d+\\.\\d+')) return 'a schema version like 56.0.0.27';
  if (p.startsWith('^\\d+\\.\\d+\\.\\d+')) return 'a version like 56.0.0';
  if (p.includes('\\.\\.(\\*')) return 'a cardinality like 1, 0..1, 0..* or 1..*';
  return `/${p}/`;
}
