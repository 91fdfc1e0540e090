// Environment profiles: where the KPR API is, who receives, and which HelseID issues tokens.
// dev, test and pilot are as Helsedirektoratet documented them in 2021 (hdir/DHHR.API,
// README "Miljøer" and "HerId"); KPR moved to FHI in 2024, so every value can be overridden in
// kpr.yaml (`api:` or `profiles:`), and prod has no built-in values at all: the operator sets it.

export interface Profile {
  baseUrl?: string;
  receiverHerId?: number;
  helseidAuthority?: string;
}

const HELSEID_TEST = 'https://helseid-sts.test.nhn.no';
/** Assumption: pilot runs on Helsenett with real data, so it uses production HelseID. */
const HELSEID_PROD = 'https://helseid-sts.nhn.no';

export const BUILT_IN_PROFILES: Readonly<Record<string, Profile>> = {
  /** The local stand-in (`kpr sandbox --port 8089`): HelseID and the API on one loopback URL. */
  sandbox: { baseUrl: 'http://127.0.0.1:8089', receiverHerId: 8139520, helseidAuthority: 'http://127.0.0.1:8089' },
  dev: { baseUrl: 'https://app-messagein-dev.azurewebsites.net', receiverHerId: 8139520, helseidAuthority: HELSEID_TEST },
  test: { baseUrl: 'https://hint-inet.utv.helsedir.no/proxy/api/kneik', receiverHerId: 8139520, helseidAuthority: HELSEID_TEST },
  pilot: { baseUrl: 'https://hint.helsedirektoratet.no/proxy/api/kneik', receiverHerId: 159000, helseidAuthority: HELSEID_PROD },
  prod: {},
};

/**
 * FHI's SLASH environments (../shared/reference/fhi-slash/README.md, "Environments"): ET on the
 * internet, QA/pilot on Helsenett. prod is left to the operator (base URL and HelseID), as for
 * the 2021 channel: a production address belongs in the municipality's own file, checked there.
 * HelseID's test STS is the one FHI's examples use for ET; for QA it is not published, so unset.
 */
export const SLASH_PROFILES: Readonly<Record<string, Profile>> = {
  /** The local stand-in serves SLASH beside the 2021 API on the same port. */
  sandbox: { baseUrl: 'http://127.0.0.1:8089', helseidAuthority: 'http://127.0.0.1:8089' },
  et: { baseUrl: 'https://app-mottak-api-et.azurewebsites.net', helseidAuthority: HELSEID_TEST },
  qa: { baseUrl: 'https://apimottak01.qa.fihr.no' },
  pilot: { baseUrl: 'https://apimottak01.qa.fihr.no' },
  prod: {},
};

export type Channel = 'kneik' | 'slash';

/** The built-in profiles of a channel. */
export function builtInProfiles(channel: Channel): Readonly<Record<string, Profile>> {
  return channel === 'slash' ? SLASH_PROFILES : BUILT_IN_PROFILES;
}

/** The chosen profile: built-in values (of the channel), then `profiles.<name>`, then `api`. */
export function resolveProfile(name: string, own: Record<string, Profile> | undefined, api: Profile | undefined, channel: Channel = 'kneik'): Profile | undefined {
  const base = builtInProfiles(channel)[name];
  const mine = own?.[name];
  if (!base && !mine) return undefined;
  return { ...base, ...mine, ...api };
}
