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

/** The chosen profile: built-in values, then `profiles.<name>`, then `api`. */
export function resolveProfile(name: string, own: Record<string, Profile> | undefined, api: Profile | undefined): Profile | undefined {
  const base = BUILT_IN_PROFILES[name];
  const mine = own?.[name];
  if (!base && !mine) return undefined;
  return { ...base, ...mine, ...api };
}
