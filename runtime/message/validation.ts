// Turning the generated validators' Ajv errors into findings a person can act on: the JSON path,
// the attribute, the rule (the catalogue's REC2xxx for the Ajv keyword) and a sentence.

import type { ErrorObject } from 'ajv';
import { schemaRule } from '../rules/catalogue.ts';

export interface Finding {
  /** JSON pointer into the validated document, e.g. /Notifikasjon/0/Konsultasjon/3/amming. */
  path: string;
  /** Stable rule id of runtime/rules/catalogue.ts: REC2xxx for schema violations. */
  rule: string;
  message: string;
}

export function describeAjvError(e: ErrorObject): Finding {
  const params = e.params as Record<string, unknown>;
  let path = e.instancePath || '/';
  let message: string;
  switch (e.keyword) {
    case 'required':
      path = `${e.instancePath}/${String(params.missingProperty)}`;
      message = `${String(params.missingProperty)} is required`;
      break;
    case 'additionalProperties':
      path = `${e.instancePath}/${String(params.additionalProperty)}`;
      message = `${String(params.additionalProperty)} is not part of this message`;
      break;
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      const shown = allowed.length > 12 ? `${allowed.slice(0, 12).join(', ')}, … (${allowed.length} codes)` : allowed.join(', ');
      message = `not a code of this list; allowed: ${shown}`;
      break;
    }
    case 'const':
      message = `must be ${JSON.stringify(params.allowedValue)}`;
      break;
    case 'pattern':
      message = `has the wrong form (${describePattern(String(params.pattern))})`;
      break;
    case 'type':
      message = `must be ${String(params.type)}`;
      break;
    default:
      message = e.message ?? 'is not valid';
  }
  return { path, rule: schemaRule(e.keyword), message };
}

function describePattern(p: string): string {
  if (p.includes('T([01]')) return 'expected YYYY-MM-DDTHH:MM:SS';
  if (p.startsWith('^[0-9]{4}-')) return 'expected YYYY-MM-DD';
  if (p.includes('[0-9a-fA-F]{8}')) return 'expected a GUID';
  return `expected /${p}/`;
}

export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined): Finding[] {
  return (errors ?? []).map(describeAjvError);
}

export function formatFinding(f: Finding): string {
  return `${f.path}: ${f.rule}: ${f.message}`;
}
