// HelseID per tenant (issue 17, section 1): a tenant either acts through the vendor's
// multi-tenant client (`defaults.helseid`), naming its own organisation in
// `helseid.orgNumbers.parent` (the token then carries it as orgnr_parent and the vendor's as
// orgnr_supplier), or brings a client of its own (`helseid.clientId` and `jwkFile` in its
// settings). What no kpr.yaml can see alone is checked here: a tenant on the vendor's client
// without its organisation would get the vendor's bare token, and two tenants acting as one
// organisation through one client would share one token.
import type { Diagnostic } from '../cli/diagnostics.ts';
import type { Positions } from '../config/load.ts';
import type { Position } from '../yaml/positions.ts';
import { TENANT_DIAGNOSTICS } from './diagnostics.ts';

type Data = Record<string, unknown>;

interface HelseIdSettings {
  clientId?: unknown;
  authority?: unknown;
  orgNumbers?: { parent?: unknown; child?: unknown };
}

export interface TenantHelseId {
  id: string;
  /** The tenant's own settings, before the defaults are merged in. */
  own: Data;
  /** With the defaults merged in. */
  data: Data;
  positions: Positions;
  /** Where the tenant itself is written (its entry, or its file). */
  at: Position;
}

const helseidOf = (d: Data | undefined): HelseIdSettings | undefined => {
  const h = d?.helseid;
  return h !== null && typeof h === 'object' && !Array.isArray(h) ? (h as HelseIdSettings) : undefined;
};

/** Whose client a tenant uses: the vendor's (from `defaults`) or its own. */
export function clientOwner(own: Data): 'vendor' | 'own' {
  return helseidOf(own)?.clientId === undefined ? 'vendor' : 'own';
}

export function checkTenantsHelseId(tenants: TenantHelseId[], defaults: Data, out: Diagnostic[]): void {
  const vendorClient = helseidOf(defaults)?.clientId;
  const byToken = new Map<string, string>();
  for (const t of tenants) {
    const h = helseidOf(t.data);
    if (h?.clientId === undefined) continue;
    const parent = h.orgNumbers?.parent;
    if (clientOwner(t.own) === 'vendor' && vendorClient !== undefined && parent === undefined) {
      out.push(
        TENANT_DIAGNOSTICS.make(
          'TEN3002',
          t.at,
          `tenant ${t.id} uses the vendor's HelseID client ${String(vendorClient)} (defaults.helseid) without naming its organisation: set helseid.orgNumbers.parent to the tenant's 9-digit organisation number`,
        ),
      );
      continue;
    }
    // One token per (authority, client, organisation): two tenants there would hold one token.
    const authority = h.authority ?? (t.data.api as Data | undefined)?.helseidAuthority ?? `profile ${String(t.data.profile)}`;
    const key = [authority, h.clientId, parent ?? '', h.orgNumbers?.child ?? ''].map(String).join('|');
    const other = byToken.get(key);
    if (other === undefined) byToken.set(key, t.id);
    else {
      const what = parent === undefined ? 'without an organisation' : `as organisation ${String(parent)}`;
      out.push(
        TENANT_DIAGNOSTICS.make(
          'TEN2004',
          t.positions.pos(parent === undefined ? ['helseid', 'clientId'] : ['helseid', 'orgNumbers', 'parent']),
          `tenants ${other} and ${t.id} act ${what} through HelseID client ${String(h.clientId)}: they would share one token`,
        ),
      );
    }
  }
}
