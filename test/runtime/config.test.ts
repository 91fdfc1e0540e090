// kpr.yaml: a valid file resolves profile, defaults and paths; every kind of mistake is reported
// at its line and column, all at once.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, requireTransport } from '../../runtime/config/load.ts';
import { readSecret } from '../../runtime/config/secrets.ts';
import { tmp } from './helpers.ts';

const VALID = `profile: test
helseid:
  clientId: my-client
  jwkFile: keys/client.jwk.json
  scopes: [hdir:kneik/hst/submit]
certificates:
  signing:
    p12File: keys/signing.p12
    passphrase: { env: KPR_P12_PASS }
  receiverEncryptionCertFile: keys/receiver.pem
sender:
  herId: 8139519
  orgNr: "974770000"
  Kommune:
    - kommuneNr: "0301"
      Enhet: [{ enhetID: E1, orgNr: "974770000" }]
  Kontaktperson:
    [{ kontPerson: Kari Kontakt, meldEpost1: kari@example.invalid, typeKontaktperson: "1" }, { kontPerson: Ola Fag, meldEpost1: ola@example.invalid, typeKontaktperson: "15" }]
epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }
message: { spec: hst@56.0.0 }
source: { type: folder, path: exports }
database: state/kpr.db
`;

function dirWithKeys(): string {
  const dir = tmp('kpr-cfg-');
  mkdirSync(join(dir, 'keys'));
  for (const f of ['client.jwk.json', 'signing.p12', 'receiver.pem']) writeFileSync(join(dir, 'keys', f), 'x');
  return dir;
}

function issues(text: string, dir = dirWithKeys()): string[] {
  try {
    parseConfig(join(dir, 'kpr.yaml'), text);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.at.line}:${i.at.col}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('kpr.yaml', () => {
  it('resolves the profile, defaults and paths relative to the file', () => {
    const dir = dirWithKeys();
    const c = parseConfig(join(dir, 'kpr.yaml'), VALID);
    expect(c.profile).toEqual({
      baseUrl: 'https://hint-inet.utv.helsedir.no/proxy/api/kneik',
      receiverHerId: 8139520,
      helseidAuthority: 'https://helseid-sts.test.nhn.no',
    });
    expect(c.database).toBe(join(dir, 'state/kpr.db'));
    expect(c.source.path).toBe(join(dir, 'exports'));
    expect(c.helseid!.dpop).toBe(true);
    // B: "Kode E og K skal kun benyttes dersom det på forhånd er inngått avtale" (HST usage note).
    expect(c.message).toMatchObject({ spec: 'hst@56.0.0', messageType: 'HST', meldingstype: 'B' });
    expect(c.rules).toEqual({ consequences: 'receiver' });
    expect(c.batch).toEqual({ maxConsultations: 1000, maxBytes: 4_000_000, recordsPerTransaction: 1000 });
    expect(requireTransport(c).receiverHerId).toBe(8139520);
  });

  it('takes the meldingstype IPLOS fixes (K), and refuses another', () => {
    const dir = dirWithKeys();
    const iplos = VALID.replace('message: { spec: hst@56.0.0 }', 'message: { spec: iplos@56.0.0 }').replace(
      'typeKontaktperson: "15" }]',
      'typeKontaktperson: "15" }, { kontPerson: Ola Fag, meldEpost1: ola@example.invalid, typeKontaktperson: "16" }, { kontPerson: Ola Fag, meldEpost1: ola@example.invalid, typeKontaktperson: "17" }]',
    );
    expect(parseConfig(join(dir, 'kpr.yaml'), iplos).message).toMatchObject({ meldingstype: 'K', meldingstypeFixed: true });
    expect(issues(iplos.replace('message: { spec: iplos@56.0.0 }', 'message: { spec: iplos@56.0.0, meldingstype: B }'), dir)).toEqual([
      '20:46: message.meldingstype: iplos@56.0.0 fixes meldingstype to K (the XSD\'s fixed="K"); leave it out or write K',
    ]);
    expect(parseConfig(join(dir, 'kpr.yaml'), VALID.replace('message: { spec: hst@56.0.0 }', 'message: { spec: hst@56.0.0, meldingstype: E }')).message.meldingstype).toBe('E');
  });

  it('checks the header across its records: obligatory contact types, one Kommune per kommuneNr, one Enhet per enhetID, one kommune for IPLOS', () => {
    const dir = dirWithKeys();
    const only1 = VALID.replace(/, \{ kontPerson: Ola Fag[^}]*\}/, '');
    expect(issues(only1, dir)).toEqual([
      expect.stringMatching(/^18:5: sender.Kontaktperson: no contact of type 15 \(typeKontaktperson, Bruk: "Det er obligatorisk å ha en kontaktperson av type 1 og type 15/),
    ]);
    const twice = VALID.replace(
      '      Enhet: [{ enhetID: E1, orgNr: "974770000" }]',
      '      Enhet: [{ enhetID: E1, orgNr: "974770000" }]\n    - kommuneNr: "0301"\n      Enhet: [{ enhetID: E1 }]',
    );
    expect(issues(twice, dir)).toEqual([expect.stringMatching(/^17:18: sender.Kommune: kommuneNr 0301 twice/), expect.stringMatching(/^18:26: sender.Kommune: enhetID E1 twice/)]);
    const iplos = twice.replace('message: { spec: hst@56.0.0 }', 'message: { spec: iplos@56.0.0 }');
    const found = issues(iplos, dir);
    expect(found).toHaveLength(4);
    for (const text of ['no contact of type 16, 17', 'kommuneNr 0301 twice', 'enhetID E1 twice', 'an IPLOS Melding reports for one kommune']) {
      expect(
        found.some((i) => i.includes(text)),
        text,
      ).toBe(true);
    }
  });

  it('pilot has receiver 159000; prod has no built-in values until the operator sets them', () => {
    const dir = dirWithKeys();
    expect(parseConfig(join(dir, 'kpr.yaml'), VALID.replace('profile: test', 'profile: pilot')).profile.receiverHerId).toBe(159000);
    const prod = parseConfig(join(dir, 'kpr.yaml'), VALID.replace('profile: test', 'profile: prod'));
    expect(() => requireTransport(prod)).toThrow(/1:10: profile prod has no baseUrl: set api.baseUrl/);
    const set = parseConfig(
      join(dir, 'kpr.yaml'),
      `${VALID.replace('profile: test', 'profile: prod')}api: { baseUrl: "https://kpr.example.invalid/api", receiverHerId: 42, helseidAuthority: "https://helseid-sts.nhn.no" }\n`,
    );
    expect(requireTransport(set)).toMatchObject({ baseUrl: 'https://kpr.example.invalid/api', receiverHerId: 42 });
  });

  it.each([
    ['an unknown key, at the key', VALID.replace('  orgNr: "974770000"\n  Kommune', '  orgNr: "974770000"\n  orgnr: x\n  Kommune'), ['14:3: unknown setting `orgnr` in sender']],
    [
      'a wrong organisation number',
      VALID.replace('orgNr: "974770000"\n  Kommune', 'orgNr: "97477"\n  Kommune'),
      ['13:10: sender.orgNr has the wrong form (expected an organisation number of 9 digits)'],
    ],
    ['a missing required section', VALID.replace('epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }\n', ''), ['1:1: kpr.yaml needs `epj`']],
    ['a missing key inside a section', VALID.replace(', versjonEPJ: "1.0"', ''), ['19:1: epj needs `versjonEPJ`']],
    ['a bad enum', VALID.replace('type: folder', 'type: database'), ['21:17: source.type must be one of: file, folder, command']],
    [
      'both P12 and PEM',
      VALID.replace('    p12File: keys/signing.p12\n', '    p12File: keys/signing.p12\n    certFile: keys/receiver.pem\n'),
      ['8:5: certificates.signing needs either certFile and keyFile (PEM), or p12File (with passphrase), not both'],
    ],
    [
      'a secret both in a file and in the environment',
      VALID.replace('{ env: KPR_P12_PASS }', '{ env: KPR_P12_PASS, file: pass.txt }'),
      ['9:17: certificates.signing.passphrase needs exactly one of file or env'],
    ],
    ['an unknown profile', VALID.replace('profile: test', 'profile: staging'), ['1:10: unknown profile "staging"; known: sandbox, dev, test, pilot, prod']],
    ['a YAML syntax error', VALID.replace('sender:\n  herId', 'sender:\n  herId: [1'), ['13:3: Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['a duplicate key', VALID.replace('database: state/kpr.db', 'database: a.db\ndatabase: b.db'), ['23:1: Map keys must be unique']],
  ])('reports %s with its position', (_name, text, want) => {
    expect(issues(text)).toEqual(want);
  });

  it('store: SQLite by default (the database file), or a PostgreSQL schema with the URL as a secret', () => {
    const dir = dirWithKeys();
    expect(parseConfig(join(dir, 'kpr.yaml'), VALID).store).toEqual({ kind: 'sqlite', path: join(dir, 'state/kpr.db') });
    const noDb = VALID.replace('database: state/kpr.db\n', '');
    const sqlite = parseConfig(join(dir, 'kpr.yaml'), `${noDb}store: { kind: sqlite, path: data/my.db }\n`);
    expect([sqlite.store, sqlite.database]).toEqual([{ kind: 'sqlite', path: join(dir, 'data/my.db') }, join(dir, 'data/my.db')]);
    const pg = parseConfig(join(dir, 'kpr.yaml'), `${noDb}store: { kind: postgres, url: { env: KPR_PG_URL }, schema: unit_0301 }\n`);
    expect(pg.store).toEqual({ kind: 'postgres', url: { env: 'KPR_PG_URL', where: 'store.url' }, schema: 'unit_0301' });
    expect(parseConfig(join(dir, 'kpr.yaml'), `${noDb}store: { kind: postgres, url: "postgresql://kpr@db.example/kpr" }\n`).store).toEqual({
      kind: 'postgres',
      url: 'postgresql://kpr@db.example/kpr',
      schema: 'kpr',
    });
  });

  it.each([
    ['a PostgreSQL store without its url', 'store: { kind: postgres }\n', ['22:1: store needs `url`']],
    ['a password in the url', 'store: { kind: postgres, url: "postgresql://kpr:secret@db/kpr" }\n', [expect.stringMatching(/^22:31: store.url holds a password: .*\(CFG005\)$/)]],
    ['a url that is not one', 'store: { kind: postgres, url: "mysql://db/kpr" }\n', ['22:31: store.url must be a postgresql:// URL (no password) or a secret (file or env)']],
    ['a sqlite store with a schema', 'store: { kind: sqlite, schema: a }\n', ['22:24: store.schema is a setting of kind postgres, not sqlite (CFG005)']],
    ['a path on a postgres store', 'store: { kind: postgres, url: { env: U }, path: x.db }\n', ['22:43: store.path is a setting of kind sqlite, not postgres (CFG005)']],
  ])('store: reports %s with its position', (_name, line, want) => {
    expect(issues(`${VALID.replace('database: state/kpr.db\n', '')}${line}`)).toEqual(want);
  });

  it('store: a database file beside a PostgreSQL store is a mistake, at the database key', () => {
    expect(issues(`${VALID}store: { kind: postgres, url: { env: U } }\n`)).toEqual(['22:1: database names a SQLite file, but store.kind is postgres: leave it out (CFG005)']);
  });

  it('reports a file that does not exist at the line naming it, and several problems at once', () => {
    const dir = tmp('kpr-cfg-');
    const got = issues(VALID, dir);
    expect(got).toEqual([
      `4:12: helseid.jwkFile: no such file or folder: ${join(dir, 'keys/client.jwk.json')}`,
      `8:14: certificates.signing.p12File: no such file or folder: ${join(dir, 'keys/signing.p12')}`,
      `10:31: certificates.receiverEncryptionCertFile: no such file or folder: ${join(dir, 'keys/receiver.pem')}`,
    ]);
  });

  it('reads secrets from the environment or a file, never from kpr.yaml', () => {
    const dir = tmp('kpr-cfg-');
    writeFileSync(join(dir, 'pass.txt'), 's3cret\n');
    expect(readSecret({ file: join(dir, 'pass.txt'), where: 'x' })).toBe('s3cret');
    expect(readSecret({ env: 'KPR_TEST_SECRET', where: 'x' }, { KPR_TEST_SECRET: 'abc' })).toBe('abc');
    expect(() => readSecret({ env: 'KPR_TEST_SECRET', where: 'certificates.signing.passphrase' }, {})).toThrow(
      'certificates.signing.passphrase: environment variable KPR_TEST_SECRET is not set',
    );
  });
});
