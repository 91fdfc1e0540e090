// kpr.yaml's channel: kneik stays the default (old files load unchanged); channel: slash takes a
// JSON message type, FHI's environments as profiles, and the vendor headers, each mistake at its
// line and column with its CFG id.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, requireKneik } from '../../runtime/config/load.ts';
import { tmp } from '../runtime/helpers.ts';

/** A 2021 configuration as older files have them: no channel. */
const KNEIK = `profile: test
sender:
  herId: 8139519
  orgNr: "974770000"
  Kommune: [{ kommuneNr: "0301" }]
  Kontaktperson:
    [{ kontPerson: K, meldEpost1: k@example.invalid, typeKontaktperson: "1" }, { kontPerson: O, meldEpost1: o@example.invalid, typeKontaktperson: "15" }]
epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }
message: { spec: hst@56.0.0 }
source: { type: folder, path: exports }
`;

const SLASH_VALID = `channel: slash
profile: et
helseid:
  clientId: my-client
  jwkFile: /dev/null
  scopes: ["fhi:slash.mottak/all"]
message: { spec: hst-avtale@1 }
slash:
  vendor:
    vendorName: Test AS
    softwareName: TestEPJ
    softwareVersion: "1.0"
    exportSoftwareVersion: kpr-kit 0.1.0
source: { type: folder, path: exports }
`;

function issues(text: string): string[] {
  try {
    parseConfig(join(tmp('kpr-slash-cfg-'), 'kpr.yaml'), text);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.at.line}:${i.at.col}: ${i.message}`);
    throw err;
  }
  return [];
}

function parse(text: string) {
  return parseConfig(join(tmp('kpr-slash-cfg-'), 'kpr.yaml'), text);
}

describe('kpr.yaml channel', () => {
  it('a file without channel is the 2021 channel, as before', () => {
    const c = parseConfig(join(tmp('kpr-cfg-'), 'kpr.yaml'), KNEIK);
    expect(c.channel).toBe('kneik');
    expect(c.slash).toBeUndefined();
    expect(requireKneik(c).sender.herId).toBe(8139519);
  });

  it('channel: slash resolves FHI ET, msg_type and msg_version from the generated type, and the defaults', () => {
    const c = parse(SLASH_VALID);
    expect(c.channel).toBe('slash');
    expect(c.profile).toEqual({ baseUrl: 'https://app-mottak-api-et.azurewebsites.net', helseidAuthority: 'https://helseid-sts.test.nhn.no' });
    expect(c.slash).toEqual({
      msgType: 'HST_Avtale',
      msgVersion: '1',
      vendor: { vendorName: 'Test AS', softwareName: 'TestEPJ', softwareVersion: '1.0', exportSoftwareVersion: 'kpr-kit 0.1.0' },
      maxRequestBytes: 2_000_000,
      backfillFrom: '2017-01-01',
      unit: { orgNr: 'orgNr', kommuneNr: 'kommuneNr', bydelNr: 'bydelNr' },
      deletedField: 'deleted',
    });
    expect(() => requireKneik(c)).toThrow(/CFG004/);
  });

  it.each([
    ['qa', 'https://apimottak01.qa.fihr.no'],
    ['pilot', 'https://apimottak01.qa.fihr.no'],
    ['sandbox', 'http://127.0.0.1:8089'],
  ])("profile %s is SLASH's %s", (name, url) => {
    expect(parse(SLASH_VALID.replace('profile: et', `profile: ${name}`)).profile.baseUrl).toBe(url);
  });

  it('prod is left to the operator: no built-in URL; the 2021 names (dev, test) are not SLASH profiles', () => {
    expect(parse(SLASH_VALID.replace('profile: et', 'profile: prod')).profile).toEqual({});
    expect(issues(SLASH_VALID.replace('profile: et', 'profile: dev'))).toEqual(['2:10: unknown profile "dev"; known: sandbox, et, qa, pilot, prod']);
  });

  it('a slash configuration without vendor headers names each header at its place', () => {
    const text = SLASH_VALID.replace(/ {2}vendor:\n( {4}.*\n){4}/, '  vendor:\n    vendorName: Test AS\n    softwareName: " TestEPJ"\n');
    expect(issues(text)).toEqual([
      '9:3: slash.vendor.softwareVersion is missing: SLASH requires the x-software-version header (CFG002)',
      '9:3: slash.vendor.exportSoftwareVersion is missing: SLASH requires the x-export-software-version header (CFG002)',
      '11:19: slash.vendor.softwareName " TestEPJ" must be printable ASCII without leading or trailing spaces (the x-software-name header) (CFG002)',
    ]);
  });

  it('no slash section at all, or no vendor in it, is said plainly', () => {
    expect(issues(SLASH_VALID.replace(/slash:\n( {2}.*\n)+/, ''))).toEqual(['1:1: kpr.yaml needs `slash`']);
    expect(issues(SLASH_VALID.replace(/slash:\n( {2}.*\n)+/, 'slash: { maxRequestBytes: 1000000 }\n'))).toEqual(['8:1: slash needs `vendor`']);
  });

  it("a request size over the receiver's 15 MB, an XML message on SLASH, a JSON type on the 2021 channel", () => {
    expect(issues(SLASH_VALID.replace('slash:\n', 'slash:\n  maxRequestBytes: 15000001\n'))).toEqual([
      "9:20: slash.maxRequestBytes 15000001 is over the receiver's limit of 15 MB (FHI answers 2009 PayloadSizeLimitExceeded) (CFG003)",
    ]);
    expect(issues(SLASH_VALID.replace('hst-avtale@1', 'hst@56.0.0'))[0]).toMatch(/^7:18: message.spec: hst@56.0.0 is not a generated JSON message type.*\(CFG001\)$/);
    const kneik = KNEIK.replace('spec: hst@56.0.0', 'spec: hst-avtale@1');
    expect(issues(kneik).join('\n')).toMatch(/message.spec: hst-avtale@1 is a JSON message type, which only SLASH receives.*\(CFG001\)/);
  });

  it("the 2021 channel's sections in a slash file are pointed at, not silently ignored", () => {
    const text = `${SLASH_VALID}sender: { herId: 1, orgNr: "974770000", Kommune: [{ kommuneNr: "0301" }], Kontaktperson: [{ kontPerson: K, meldEpost1: k@x.invalid, typeKontaktperson: "1" }] }\n`;
    expect(issues(text)).toEqual(['15:1: sender: a setting of the 2021 channel; SLASH does not use it (channel: slash), so leave it out (CFG004)']);
  });
});
