// Loads a vendor's tenants file: many reporting units, each a kpr.yaml's settings (the file's
// `defaults` with the tenant's own on top), inline or one file per tenant in a folder, and the
// store they share. Every problem in every file is reported at once, `file:line:col: error
// TENnnnn: message`, before anything runs (docs/tenants.md).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { EXIT, UserError } from '../cli/program.ts';
import { type Diagnostic, formatDiagnostic, sortDiagnostics } from '../cli/diagnostics.ts';
import { ConfigError, type ConfigStore, configFromData, type KprConfig, type Positions } from '../config/load.ts';
import type { SecretRef } from '../config/secrets.ts';
import { pointerPath, PositionedYaml, type Path } from '../yaml/positions.ts';
import { TENANT_DIAGNOSTICS, type TenantDiagnosticId } from './diagnostics.ts';
import { checkTenantsHelseId, type TenantHelseId } from './helseid.ts';
import { type Layer, merge, mergedPositions } from './merge.ts';

/** Where a tenant's state is kept. */
export type TenantStore = ConfigStore;

export interface Tenant {
  id: string;
  config: KprConfig;
  store: TenantStore;
}

export interface TenantsConfig {
  file: string;
  tenants: Tenant[];
  /** The `workers` section as written (runtime/workers/settings.ts reads it). */
  workers?: Record<string, unknown>;
}

/** The tenants file is wrong: every diagnostic, with its position and rule id. Exit code 2. */
export class TenantsError extends UserError {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`invalid tenants configuration:\n${diagnostics.map((d) => `  ${formatDiagnostic(d, false)}`).join('\n')}`, EXIT.failed);
    this.name = 'TenantsError';
  }
}

/** The tenants `ids` names (all when none), or an error listing the known ones. */
export function chooseTenants(cfg: TenantsConfig, ids: readonly string[] | string | undefined): Tenant[] {
  const wanted = typeof ids === 'string' ? [ids] : (ids ?? []);
  if (!wanted.length) return cfg.tenants;
  const unknown = wanted.filter((id) => !cfg.tenants.some((t) => t.id === id));
  if (unknown.length) throw new UserError(`no tenant ${unknown.join(', ')} in ${cfg.file}; known: ${cfg.tenants.map((t) => t.id).join(', ')}`, EXIT.failed);
  return cfg.tenants.filter((t) => wanted.includes(t.id));
}

let validate: ReturnType<Ajv2020['compile']> | undefined;
function schema() {
  validate ??= new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(new URL('./tenants.schema.json', import.meta.url), 'utf8')));
  return validate;
}

const ID = /^[a-z][a-z0-9_]{0,39}$/;

interface Source {
  id: string;
  data: Record<string, unknown>;
  yaml: PositionedYaml;
  /** Where the tenant's mapping is in `yaml`. */
  prefix: Path;
}

export function loadTenants(file: string): TenantsConfig {
  const abs = resolve(file);
  const dir = dirname(abs);
  const out: Diagnostic[] = [];
  const report = (id: TenantDiagnosticId, yaml: PositionedYaml, path: Path, message: string, key = false) =>
    out.push(TENANT_DIAGNOSTICS.make(id, yaml.pos(path, { key }), message));
  const main = read(abs, out);
  if (!main) throw new TenantsError(out);
  const top = main.toJS() as Record<string, unknown>;
  const check = schema();
  if (!check(top)) {
    for (const e of shapeIssues(check.errors ?? [])) report('TEN1002', main, e.path, e.message, e.key);
    throw new TenantsError(sortDiagnostics(out));
  }
  const store = top.store as { kind: 'sqlite' | 'postgres'; url?: string | { file?: string; env?: string }; schemaPrefix?: string; dir?: string };
  if (typeof store.url === 'string' && /^postgres(ql)?:\/\/[^/@?]*:[^/@?]*@/.test(store.url)) {
    report('TEN4001', main, ['store', 'url'], 'store.url holds a password');
  }

  const sources: Source[] = ((top.tenants as Record<string, unknown>[] | undefined) ?? []).map((t, i) => ({ id: String(t.id), data: t, yaml: main, prefix: ['tenants', i] }));
  if (typeof top.tenantsDir === 'string') sources.push(...fromFolder(resolve(dir, top.tenantsDir), main, out));
  if (sources.length === 0) report('TEN1003', main, [], `${basename(abs)} names no tenant (neither \`tenants\` nor files in \`tenantsDir\`)`);

  const defaults = (top.defaults ?? {}) as Record<string, unknown>;
  const tenants: Tenant[] = [];
  const merged: Merged[] = [];
  const helseids: TenantHelseId[] = [];
  const firstOf = new Map<string, Source>();
  // A wrong default is wrong for every tenant that takes it: said once, naming them all.
  const settingIssues = new Map<string, { at: Diagnostic; tenants: string[] }>();
  for (const src of sources) {
    const first = firstOf.get(src.id);
    if (first) {
      const at = first.yaml.pos([...first.prefix, 'id']);
      report('TEN2001', src.yaml, [...src.prefix, 'id'], `tenant "${src.id}" twice (also ${at.file}:${at.line}:${at.col})`);
      continue;
    }
    firstOf.set(src.id, src);
    const { id: _id, ...own } = src.data;
    const data = merge(defaults, own) as Record<string, unknown>;
    if (store.kind === 'sqlite' && data.database === undefined) data.database = join(store.dir ?? 'state', `${src.id}.db`);
    const layer = (yaml: PositionedYaml, prefix: Path, d: unknown): Layer => ({ data: d, at: (p, o) => yaml.pos([...prefix, ...p], o) });
    const positions = mergedPositions(layer(main, ['defaults'], defaults), layer(src.yaml, src.prefix, own));
    merged.push({ id: src.id, data, positions });
    helseids.push({ id: src.id, own, data, positions, at: src.yaml.pos(src.prefix) });
    try {
      const config = configFromData(abs, data, positions);
      const where: TenantStore =
        store.kind === 'sqlite'
          ? { kind: 'sqlite', path: config.database }
          : { kind: 'postgres', url: secretOr(store.url, dir), schema: `${store.schemaPrefix ?? 'kpr_'}${src.id}` };
      // The tenant's configuration alone says where its state is: its jobs open config.store.
      config.store = where;
      tenants.push({ id: src.id, config, store: where });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const i of err.issues) {
        const k = `${i.at.file}:${i.at.line}:${i.at.col}:${i.message}`;
        const seen = settingIssues.get(k);
        if (seen) seen.tenants.push(src.id);
        else settingIssues.set(k, { at: TENANT_DIAGNOSTICS.make('TEN3001', i.at, i.message), tenants: [src.id] });
      }
    }
  }
  for (const { at, tenants: ids } of settingIssues.values()) out.push({ ...at, message: `tenant${ids.length > 1 ? 's' : ''} ${ids.join(', ')}: ${at.message}` });
  crossChecks(merged, store.kind, dir, out);
  checkTenantsHelseId(helseids, defaults, out);
  if (out.length) throw new TenantsError(sortDiagnostics(out));
  return { file: abs, tenants, ...(top.workers !== undefined && { workers: top.workers as Record<string, unknown> }) };
}

function secretOr(url: string | { file?: string; env?: string } | undefined, dir: string): string | SecretRef {
  if (typeof url === 'string') return url;
  return url?.file !== undefined ? { file: resolve(dir, url.file), where: 'store.url' } : { env: url?.env, where: 'store.url' };
}

/** Parses one YAML file into `out`'s diagnostics, or gives it back. */
function read(file: string, out: Diagnostic[]): PositionedYaml | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read tenants file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const { yaml, errors } = PositionedYaml.parse(file, text);
  for (const e of errors) out.push(TENANT_DIAGNOSTICS.make('TEN1001', e.at, e.message));
  if (errors.length) return undefined;
  const data = yaml.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    out.push(TENANT_DIAGNOSTICS.make('TEN1002', yaml.pos([]), `${basename(file)} must be a mapping of settings`));
    return undefined;
  }
  return yaml;
}

/** One tenant per file `<id>.yaml` (or .yml) in `folder`, in name order. */
function fromFolder(folder: string, main: PositionedYaml, out: Diagnostic[]): Source[] {
  let names: string[];
  try {
    names = readdirSync(folder)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
  } catch (err) {
    out.push(TENANT_DIAGNOSTICS.make('TEN1004', main.pos(['tenantsDir']), `tenantsDir ${folder}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`));
    return [];
  }
  const sources: Source[] = [];
  for (const name of names) {
    const yaml = read(join(folder, name), out);
    if (!yaml) continue;
    const data = yaml.toJS() as Record<string, unknown>;
    const stem = name.replace(/\.ya?ml$/, '');
    const id = data.id === undefined ? stem : String(data.id);
    if (data.id !== undefined && id !== stem) {
      out.push(TENANT_DIAGNOSTICS.make('TEN1005', yaml.pos(['id']), `id "${id}" in ${name}: the file of tenant "${id}" is ${id}.yaml`));
      continue;
    }
    if (!ID.test(id)) {
      out.push(
        TENANT_DIAGNOSTICS.make(
          'TEN1002',
          yaml.pos(data.id === undefined ? [] : ['id']),
          `tenant id "${id}": lower-case letters, digits and _, starting with a letter (at most 40)`,
        ),
      );
      continue;
    }
    sources.push({ id, data, yaml, prefix: [] });
  }
  return sources;
}

/** A tenant's settings with the defaults merged in, and where each was written. */
interface Merged {
  id: string;
  data: Record<string, unknown>;
  positions: Positions;
}

/**
 * What no tenant can see alone: a kommune reported twice, two tenants on one SQLite file. Read
 * from the merged settings, so a tenant with other problems is still compared.
 */
function crossChecks(tenants: Merged[], kind: 'sqlite' | 'postgres', dir: string, out: Diagnostic[]): void {
  const kommuner = new Map<string, string>();
  const files = new Map<string, string>();
  for (const t of tenants) {
    const sender = t.data.sender as { Kommune?: unknown } | undefined;
    const list = Array.isArray(sender?.Kommune) ? (sender.Kommune as { kommuneNr?: unknown }[]) : [];
    list.forEach((k, i) => {
      if (k?.kommuneNr === undefined) return;
      const nr = String(k.kommuneNr);
      const other = kommuner.get(nr);
      if (other === undefined) kommuner.set(nr, t.id);
      else if (other !== t.id)
        out.push(TENANT_DIAGNOSTICS.make('TEN2002', t.positions.pos(['sender', 'Kommune', i, 'kommuneNr']), `kommune ${nr} is reported by tenants ${other} and ${t.id}`));
    });
    if (kind === 'sqlite' && typeof t.data.database === 'string') {
      const file = resolve(dir, t.data.database);
      const other = files.get(file);
      if (other === undefined) files.set(file, t.id);
      else out.push(TENANT_DIAGNOSTICS.make('TEN2003', t.positions.pos(['database']), `tenants ${other} and ${t.id} both keep their state in ${file}`));
    }
  }
}

/** The schema's complaints about the tenants file, each at its path. */
function shapeIssues(errors: ErrorObject[]): { path: Path; message: string; key: boolean }[] {
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors
    .filter((e) => e.keyword !== 'if' && !(e.keyword !== 'oneOf' && e.schemaPath.includes('/oneOf/') && oneOfAt.has(e.instancePath)))
    .map((e) => {
      const path = pointerPath(e.instancePath);
      const name = path.length ? path.join('.') : 'the tenants file';
      if (e.keyword === 'additionalProperties') {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        return { path: [...path, key], message: `unknown setting \`${key}\` in ${name}`, key: true };
      }
      if (e.keyword === 'required') return { path, message: `${name} needs \`${(e.params as { missingProperty: string }).missingProperty}\``, key: path.length > 0 };
      if (e.keyword === 'enum') return { path, message: `${name} must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`, key: false };
      if (e.keyword === 'oneOf') return { path, message: `${name} must be a postgresql:// URL or a secret (file or env)`, key: false };
      return { path, message: `${name} ${e.message ?? 'is not valid'}`, key: false };
    });
}
