// The commented example configuration `kpr init` prints: every setting, with what it is for.
import { fileURLToPath } from 'node:url';
import { relative, resolve, sep } from 'node:path';

/** kpr.yaml's JSON Schema, for editors: relative to the folder the configuration will be in. */
export function schemaPathFrom(folder: string): string {
  const schema = fileURLToPath(new URL('../config/kpr.schema.json', import.meta.url));
  const rel = relative(resolve(folder), schema);
  // A setup far from the installation gets the absolute path rather than a climb to the root.
  return rel.split(sep).filter((s) => s === '..').length > 2 ? schema : rel;
}

/** The example, its `$schema` pointing at this installation's kpr.schema.json from `folder`. */
export const exampleConfig = (folder: string): string => `# yaml-language-server: $schema=${schemaPathFrom(folder)}
# kpr.yaml: configuration of the daily transfer to KPR. Paths are relative to this file.
# Secrets are never written here: give a file ({ file: path }) or an environment variable ({ env: NAME }).

# Where to send: sandbox, dev, test, pilot (as Helsedirektoratet documented them in 2021) or prod.
# KPR moved to FHI in 2024: check the addresses with the receiver, and override them under api:.
profile: prod
api:
  baseUrl: https://kpr-api.example.invalid        # prod has no built-in address: ask the receiver
  receiverHerId: 0000000                           # the receiver's HER-id in Adresseregisteret
  helseidAuthority: https://helseid-sts.nhn.no

helseid:
  clientId: 00000000-0000-0000-0000-000000000000   # from HelseID selvbetjening
  jwkFile: secrets/helseid-client.jwk.json         # the client's private JWK (RS/PS/ES 256/384/512)
  scopes: [hdir:kneik/hst/submit]                  # ask the receiver for the HST scope
  dpop: true
  # orgNumbers: { parent: "123456785", child: "987654325" }   # multi-tenant clients only

certificates:
  signing:                                         # enterprise certificate with nonRepudiation
    p12File: secrets/virksomhet-sign.p12
    passphrase: { file: secrets/virksomhet-sign.pass }
    # or: certFile: sign.pem and keyFile: sign.key
  receiverEncryptionCertFile: certs/kpr-encryption.pem   # the receiver's certificate (keyEncipherment)
  cipher: aes-256-cbc                              # aes-128-cbc, aes-192-cbc, des-ede3-cbc
  warnDays: 30                                     # kpr status warns this many days before expiry

sender:
  herId: 0000000                                   # your HER-id; the signing certificate must be registered on it
  orgNr: "123456785"
  Kommune:                                         # the Kommune elements of every Melding
    - kommuneNr: "4601"
      kommuneOrgNr: "123456785"
      Enhet:
        - { enhetID: "1", orgNr: "987654325", enhetNavn: Helsestasjon sentrum }
  Kontaktperson:                                   # type 1 (teknisk) and 15 are obligatory
    - { kontPerson: Navn Navnesen, meldEpost1: teknisk@kommune.example, typeKontaktperson: "1" }
    - { kontPerson: Navn Navnesen, meldEpost1: fag@kommune.example, typeKontaktperson: "15" }

epj:
  leverandor: Leverandør AS
  navnEPJ: Journalsystem
  versjonEPJ: "1.0"

message:
  spec: hst@56.0.0

mapping: mapping.yaml                              # kpr mapping template hst@56.0.0 > mapping.yaml

source:                                            # NDJSON, one record per line
  type: folder                                     # file | folder | command
  path: /var/lib/epj-export
  # type: command
  # command: [/usr/local/bin/epj-extract, --since-watermark]

batch:
  maxConsultations: 500
  maxBytes: 4000000

database: /var/lib/kpr-kit/kpr.db
`;
