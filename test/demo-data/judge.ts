// An independent judge of demo-EPJ records for the tests: the published JSON Schema (through
// Ajv) plus the checks a schema cannot express (check digits, dates against "today"). It returns
// the problems it finds; a generated record has none unless the generator marked it `_defect`.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { classifyPersonId } from '../../runtime/rules/identifiers.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const schemaPath = fileURLToPath(new URL('../../examples/demo-epj/source.schema.json', import.meta.url));
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
export const validateSchema = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));

type Rec = Record<string, any>;

/** What is wrong with a record, judged against the schema and the extract's `today` (ms). */
export function problemsOf(record: Rec, todayMs: number): string[] {
  const problems: string[] = [];
  if (!validateSchema(record)) {
    for (const e of validateSchema.errors ?? []) problems.push(`schema ${e.instancePath} ${e.message}`);
  }
  if (record.deleted === true) return problems;
  const child = record.child ?? {};
  if (typeof child.nationalId === 'string') {
    const info = classifyPersonId(child.nationalId);
    if (!info.ok) problems.push(`nationalId ${info.reason}`);
    else {
      const kind = child.nationalIdType === 'DNR' ? 'dnr' : child.nationalIdType === 'HNR' ? 'hnr' : 'fnr';
      if (info.kind !== kind) problems.push(`nationalId is ${info.kind}, type says ${kind}`);
      if (info.kind !== 'hnr' && !info.synthetic) problems.push('nationalId is not synthetic');
      if (child.birthDate !== undefined && info.birthDate !== child.birthDate) problems.push('birthDate differs from nationalId');
      if (child.sex !== undefined && info.sex !== child.sex) problems.push('sex differs from nationalId');
    }
  }
  const c = record.consultation ?? {};
  for (const [name, value] of [
    ['startTime', c.startTime],
    ['registeredAt', c.registeredAt],
    ['changedAt', record.changedAt],
  ] as const) {
    if (typeof value === 'string' && Date.parse(value) > todayMs) problems.push(`${name} after today`);
  }
  if (typeof c.startTime === 'string' && typeof c.registeredAt === 'string' && c.registeredAt < c.startTime) {
    problems.push('registered before it started');
  }
  return problems;
}
