// Jobs for many tenants in one process, one tenant after another (as a worker runs job after
// job): each tenant's job takes the tenant's own kpr.yaml settings (its store, its sender, its
// HelseID client and organisation), and the HelseID tokens outlive the job in the process's
// token cache, one per tenant. A tenant that fails does not stop the others; its error names
// the tenant and, for a token without the tenant's organisation, what to set up.
import { EXIT, UserError } from '../cli/program.ts';
import { backfillJob, runJob } from '../jobs/jobs.ts';
import type { JobOptions } from '../jobs/channels/types.ts';
import type { TransferSummary } from '../jobs/transfer.ts';
import { HelseIdError } from '../transport/helseid/errors.ts';
import { clientOwner } from './helseid.ts';
import { chooseTenants, type Tenant, type TenantsConfig } from './load.ts';

/** A tenant's job failed: the tenant named, the cause kept. Exit code 2. */
export class TenantJobError extends UserError {
  constructor(
    readonly tenant: string,
    message: string,
    readonly cause?: unknown,
  ) {
    super(`tenant ${tenant}: ${message}`, EXIT.failed);
    this.name = 'TenantJobError';
  }
}

export interface TenantJobResult {
  tenant: string;
  summary?: TransferSummary;
  error?: TenantJobError;
}

export type TenantJobKind = 'run' | 'backfill';

/** The settings to change when a tenant's token lacks its organisation. */
function orgClaimsFix(t: Tenant): string {
  const parent = t.config.helseid?.orgNumbers?.parent;
  return parent === undefined
    ? `set helseid.orgNumbers.parent of tenant ${t.id} to its 9-digit organisation number`
    : `check that organisation ${parent} (helseid.orgNumbers.parent of tenant ${t.id}) has delegated to HelseID client ${t.config.helseid?.clientId} in HelseID selvbetjening${
        clientOwner({ helseid: t.config.helseid }) === 'own' ? '' : " (the vendor's multi-tenant client)"
      }`;
}

/** `err` as a TenantJobError naming `t`; a missing organisation claim says what to fix. */
export function tenantError(t: Tenant, err: unknown): TenantJobError {
  const message = err instanceof Error ? err.message : String(err);
  const orgClaims = (err instanceof HelseIdError && err.code === 'missing_org_claims') || /HelseID missing_org_claims/.test(message);
  return new TenantJobError(t.id, orgClaims ? `${message} Fix: ${orgClaimsFix(t)}.` : message, err);
}

/**
 * Runs `kind` for each tenant (all, or those named in `only`) one after another and says how
 * each went. `options` is given each tenant's config (tests pass clients and clocks here).
 */
export async function runTenantJobs(
  cfg: TenantsConfig,
  kind: TenantJobKind,
  opts: { only?: string[]; from?: string; to?: string; options?: (t: Tenant) => Omit<JobOptions, 'config'> } = {},
): Promise<TenantJobResult[]> {
  const results: TenantJobResult[] = [];
  for (const t of chooseTenants(cfg, opts.only)) {
    const o: JobOptions = { ...opts.options?.(t), config: t.config };
    try {
      const summary =
        kind === 'run'
          ? await runJob(o)
          : await backfillJob({ ...o, from: opts.from ?? '', to: opts.to }).then((r) => ('alreadyComplete' in r ? undefined : (r as TransferSummary)));
      results.push({ tenant: t.id, summary });
    } catch (err) {
      results.push({ tenant: t.id, error: tenantError(t, err) });
    }
  }
  return results;
}
