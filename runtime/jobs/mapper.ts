// From a source line to what the chain decides on: a consultation (its mapped Konsultasjon), a
// deletion (its konsultasjonID), or a rejection (path, rule, message, receiver consequence).
// With `mapping:` in kpr.yaml the vendor's mapping does the work (runtime/mapping, which also
// validates); without it the source already yields KPR consultations ("passthrough", see
// docs/configuration.md). Either way every Konsultasjon then passes the rule stage
// (runtime/rules/stage.ts): the generated validator, the semantic rules and the consequence
// policy, which decides what is held back and what is sent with a warning.
import { describeAjvErrors } from '../message/validation.ts';
import type { KprConfig, SenderConfig } from '../config/load.ts';
import type { RuleStage } from '../rules/stage.ts';
import { monthOf } from '../model/month.ts';
import type { MessageKit } from './message-kit.ts';

export interface Finding {
  path: string;
  rule: string;
  message: string;
  consequence: string;
  /** What the kit did (runtime/rules/policy.ts): held, or sent unchanged or substituted with a warning. */
  action?: 'held' | 'sent' | 'substituted';
}

export type Mapped =
  /** `warnings`: findings of a record sent anyway (the receiver's consequence lets it through). */
  | { kind: 'konsultasjon'; sourceId: string; changedAt: string; konsultasjonId: string; konsultasjon: Record<string, unknown>; warnings?: Finding[] }
  | { kind: 'deleted'; sourceId: string; changedAt: string; konsultasjonId: string }
  /** `month`: the consultation month (YYYY-MM of datoTidStart), when it could be read. */
  | { kind: 'rejected'; sourceId: string; changedAt: string | null; konsultasjonId?: string; month?: string; findings: Finding[] };

export interface RecordMapper {
  map(value: unknown, at: { file: string; line: number }): Mapped;
}

/** What a rejected record means at the receiver's end when it is not sent. */
export const NOT_SENT = 'not sent; waits for a corrected version from the EPJ';

/** The finding for a record a Konsultasjon (or a Melding) could not be written with. */
export function unwritableFinding(err: unknown): Finding {
  const e = err as { message?: string; path?: string };
  return { path: typeof e.path === 'string' ? e.path : '/', rule: 'REC5004', message: `the Konsultasjon could not be written: ${e.message ?? String(err)}`, consequence: NOT_SENT };
}

/** Instants compare as text only in one form: normalise to UTC ISO with milliseconds. */
export function normaliseInstant(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const ms = typeof v === 'number' ? v : Date.parse(v);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function reject(sourceId: string, changedAt: string | null, path: string, rule: string, message: string, month?: string | null): Mapped {
  return { kind: 'rejected', sourceId, changedAt, ...(month && { month }), findings: [{ path, rule, message, consequence: NOT_SENT }] };
}

const findingOf = (i: { path: string; rule: string; message: string; consequence: string; action?: Finding['action'] }, prefix = ''): Finding => ({
  path: prefix + i.path,
  rule: i.rule,
  message: i.message,
  consequence: i.consequence,
  ...(i.action && { action: i.action }),
});

/**
 * Passthrough records: `{"id": "...", "changedAt": "...", "Konsultasjon": {...}}`, or for a
 * deletion `{"id": "...", "changedAt": "...", "deleted": true, "konsultasjonID": "..."}`.
 * `id` defaults to the konsultasjonID. With `stage`, the Konsultasjon passes the rule stage as a
 * mapped one does; without it (tests with a stand-in kit), only the generated validator.
 */
export function passthroughMapper(kit: MessageKit, stage?: RuleStage): RecordMapper {
  return {
    map(value, at) {
      const fallbackId = `${at.file}:${at.line}`;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return reject(fallbackId, null, '/', 'REC1002', 'a record must be a JSON object');
      const r = value as Record<string, unknown>;
      const k = r.Konsultasjon as Record<string, unknown> | undefined;
      const konsultasjonId = typeof r.konsultasjonID === 'string' ? r.konsultasjonID : typeof k?.konsultasjonID === 'string' ? k.konsultasjonID : undefined;
      const sourceId = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : (konsultasjonId ?? fallbackId);
      const changedAt = normaliseInstant(r.changedAt);
      if (!changedAt) return reject(sourceId, null, '/changedAt', 'REC1003', 'changedAt is missing or not a point in time');
      if (r.deleted === true) {
        if (!konsultasjonId) return reject(sourceId, changedAt, '/konsultasjonID', 'REC1004', 'a deletion needs konsultasjonID');
        return { kind: 'deleted', sourceId, changedAt, konsultasjonId };
      }
      if (!k || typeof k !== 'object') return reject(sourceId, changedAt, '/Konsultasjon', 'REC1002', 'Konsultasjon is missing');
      const month = monthOf(k.datoTidStart) ?? undefined;
      if (!konsultasjonId) return reject(sourceId, changedAt, '/Konsultasjon/konsultasjonID', 'REC2001', 'konsultasjonID is required', month);
      if (stage) {
        const r = stage(k);
        if (!r.ok) return { kind: 'rejected', sourceId, changedAt, konsultasjonId, ...(month && { month }), findings: r.issues.map((i) => findingOf(i, '/Konsultasjon')) };
        const warnings = r.warnings.map((i) => findingOf(i, '/Konsultasjon'));
        return { kind: 'konsultasjon', sourceId, changedAt, konsultasjonId, konsultasjon: k, ...(warnings.length && { warnings }) };
      }
      const validate = kit.validateKonsultasjon;
      if (validate && !validate(k)) {
        const findings = describeAjvErrors(validate.errors).map((f) => ({ ...f, path: `/Konsultasjon${f.path === '/' ? '' : f.path}`, consequence: NOT_SENT }));
        return { kind: 'rejected', sourceId, changedAt, konsultasjonId, ...(month && { month }), findings };
      }
      return { kind: 'konsultasjon', sourceId, changedAt, konsultasjonId, konsultasjon: k };
    },
  };
}

/**
 * The vendor's mapping (runtime/mapping `loadMapping(file).apply(record)`). changedAt is read
 * from the raw record (`changedAtField`, default `changedAt`): it identifies the version.
 */
export async function mappingMapper(
  file: string,
  opts: { extractDate: string; changedAtField?: string; profile?: 'receiver' | 'strict'; enhetIds?: ReadonlySet<string>; production?: boolean },
): Promise<RecordMapper> {
  // Loaded when a mapping is used: passthrough runs and the other commands do without it.
  const { loadMapping } = await import('../mapping/apply.ts');
  const mapping = await loadMapping(file, { extractDate: opts.extractDate, profile: opts.profile, enhetIds: opts.enhetIds, production: opts.production });
  const field = opts.changedAtField ?? 'changedAt';
  const idDeclared = mapping.plan.sourceId !== undefined;
  const idText = mapping.plan.sourceId?.text;
  return {
    map(value, at) {
      const fallbackId = `${at.file}:${at.line}`;
      const changedAt = normaliseInstant((value as Record<string, unknown> | null)?.[field]);
      const res = mapping.apply(value);
      const sourceId = res.sourceId ?? fallbackId;
      const month = monthOf(res.value?.datoTidStart);
      // The mapping names the record's id (`id:`): a record without one cannot have its versions
      // told apart (each would look new), so it is held rather than guessed at.
      if (idDeclared && (res.sourceId === undefined || res.sourceId === ''))
        return reject(fallbackId, changedAt, '/', 'REC1008', `the record has no id (the mapping's id: ${idText}): ${at.file} line ${at.line}`, month);
      if (!changedAt) return reject(sourceId, null, `/${field}`, 'REC1003', `${field} is missing or not a point in time`, month);
      if (!res.ok) {
        const errors = res.issues.filter((i) => i.severity !== 'warning');
        const k = res.value?.konsultasjonID;
        return {
          kind: 'rejected',
          sourceId,
          changedAt,
          konsultasjonId: typeof k === 'string' ? k : undefined,
          ...(month && { month }),
          findings: (errors.length ? errors : res.issues).map((i) => findingOf(i)),
        };
      }
      const konsultasjonId = res.value.konsultasjonID;
      if (typeof konsultasjonId !== 'string') return reject(sourceId, changedAt, '/konsultasjonID', 'REC1004', 'the mapping gave no konsultasjonID', month);
      if (res.kind === 'annul') return { kind: 'deleted', sourceId, changedAt, konsultasjonId };
      const warnings = res.warnings?.map((i) => findingOf(i)) ?? [];
      return { kind: 'konsultasjon', sourceId, changedAt, konsultasjonId, konsultasjon: res.value, ...(warnings.length && { warnings }) };
    },
  };
}

/** The rule stage of passthrough Konsultasjoner, from the generated artefacts of the spec. */
type MapperConfig = Pick<KprConfig, 'mapping' | 'source' | 'rules'> & {
  message: Pick<KprConfig['message'], 'spec' | 'generatedDir'>;
  sender?: Pick<SenderConfig, 'Kommune'>;
  profileName?: string;
};

/** prod, and pilot (which runs with real data): profiles where a synthetic number must not go. */
const isProduction = (config: MapperConfig) => config.profileName === 'prod' || config.profileName === 'pilot';

/** The enhetIDs the Melding header reports, when the configuration is at hand. */
function enhetIdsOf(config: MapperConfig): ReadonlySet<string> | undefined {
  if (!config.sender) return undefined;
  return new Set(config.sender.Kommune.flatMap((k) => (Array.isArray(k.Enhet) ? (k.Enhet as Record<string, unknown>[]) : []).map((e) => String(e.enhetID))));
}

async function passthroughStage(config: MapperConfig, extractDate: string): Promise<RuleStage | undefined> {
  const { loadTarget } = await import('../spec/target.ts');
  const target = loadTarget(config.message.spec, config.message.generatedDir);
  if (!target?.classes.has('Konsultasjon')) return undefined;
  const { loadValidator } = await import('../mapping/apply.ts');
  const { compileSemanticRules } = await import('../rules/semantic.ts');
  const { makeRuleStage } = await import('../rules/stage.ts');
  const validate = await loadValidator(target, 'Konsultasjon');
  return makeRuleStage(
    target,
    'Konsultasjon',
    validate,
    compileSemanticRules(target, 'Konsultasjon'),
    { extractDate, enhetIds: enhetIdsOf(config), production: isProduction(config) },
    config.rules.consequences,
  );
}

/** The mapper kpr.yaml asks for: the vendor's mapping when it names one, else passthrough records. */
export async function configMapper(config: MapperConfig, kit: MessageKit, extractDate: string): Promise<RecordMapper> {
  return config.mapping
    ? mappingMapper(config.mapping, {
        extractDate,
        changedAtField: config.source.changedAtField,
        profile: config.rules.consequences,
        enhetIds: enhetIdsOf(config),
        production: isProduction(config),
      })
    : passthroughMapper(kit, await passthroughStage(config, extractDate));
}
