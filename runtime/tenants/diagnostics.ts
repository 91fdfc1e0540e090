// The catalogue of what `kpr tenants check` (and every command reading a tenants file) can say
// about it. Ids are stable; add new ones at the end of their block and never reuse one. Printed
// as the other catalogues are: `file:line:col: error TEN1002: message`.
import { catalogue, type DefRow } from '../cli/diagnostics.ts';

const defs = [
  // 1000: the tenants file and its folder
  ['TEN1001', 'yaml-syntax', 'error', 'A tenants file (or a tenant file in its folder) is not valid YAML.', 'Fix the YAML syntax at the position shown.'],
  [
    'TEN1002',
    'tenants-shape',
    'error',
    'A setting of the tenants file is unknown, missing or of the wrong form.',
    'See docs/tenants.md: store, defaults, tenants and tenantsDir at the top; id and kpr.yaml settings in a tenant.',
  ],
  ['TEN1003', 'no-tenants', 'error', 'The file names no tenant, inline or in its folder.', 'List tenants under `tenants:`, or put one file per tenant in `tenantsDir`.'],
  ['TEN1004', 'tenants-dir-unreadable', 'error', 'The folder of tenant files cannot be read.', 'Check the path (relative to the tenants file) and its permissions.'],
  ['TEN1005', 'file-name-mismatch', 'error', "A tenant file's `id` differs from its file name.", 'Name the file <id>.yaml, or leave `id` out (the file name is the id).'],
  // 2000: tenants against each other
  ['TEN2001', 'duplicate-tenant', 'error', 'Two tenants have the same id.', 'Give each tenant an id of its own; it names its store and its rows.'],
  [
    'TEN2002',
    'unit-reported-twice',
    'error',
    'A kommune is reported by two tenants (the same kommuneNr in both senders).',
    'Report each kommune from one tenant only: the receiver would get two chains for it.',
  ],
  ['TEN2003', 'shared-database', 'error', "Two tenants' SQLite stores are the same file.", 'Give each tenant its own `database`, or leave it out (state/<id>.db).'],
  [
    'TEN2004',
    'shared-token',
    'error',
    'Two tenants act as the same organisation through the same HelseID client: they would share one token.',
    "Give each tenant its own organisation in helseid.orgNumbers.parent (the vendor's multi-tenant client), or its own client.",
  ],
  // 3000: a tenant's own settings (those of kpr.yaml, after the defaults are merged in)
  [
    'TEN3001',
    'tenant-setting',
    'error',
    "A tenant's setting (its own or one it takes from `defaults`) is not valid as a kpr.yaml setting.",
    'Fix it where the position points: in the tenant, or in `defaults` for every tenant.',
  ],
  [
    'TEN3002',
    'helseid-organisation-missing',
    'error',
    "A tenant uses the vendor's HelseID client from `defaults` without naming its organisation, so its token would not carry orgnr_parent.",
    "Set the tenant's helseid.orgNumbers.parent to its 9-digit organisation number (delegated to the vendor's client in HelseID selvbetjening), or give the tenant its own helseid client.",
  ],
  // 4000: the store
  [
    'TEN4001',
    'password-in-url',
    'error',
    "The store's URL carries a password, which a configuration file must not hold.",
    'Leave the password out of the URL and give it in PGPASSWORD or ~/.pgpass, or name the whole URL as a secret: `url: { env: KPR_PG_URL }`.',
  ],
] as const satisfies readonly DefRow[];

export type TenantDiagnosticId = (typeof defs)[number][0];

export const TENANT_DIAGNOSTICS = catalogue<TenantDiagnosticId>(defs);
