// The local sandbox of HelseID and the KPR API, for tests, the demo and vendors' development.
export { startSandbox, DEFAULT_SCOPES, DEFAULT_RECEIVER_HER_ID, DEFAULT_SENDER_HER_ID, type Sandbox, type SandboxConnection, type SandboxOptions } from './server.ts';
export {
  genericXmlCodec,
  xmlToElementJson,
  type MessageCodec,
  type MeldingJson,
  type NotifikasjonJson,
  type KonsultasjonJson,
  type ElementJson,
  type ParseResult,
} from './codec.ts';
export { CODES } from './chain.ts';
export type { PublicState } from './store.ts';
export type { FaultSettings } from './faults.ts';
export type { RegisteredClient } from './helseid-stand-in.ts';
export type { PayloadOpener } from './kpr-api.ts';
export type { SandboxPki } from './pki.ts';
export { DEFAULT_CLIENT_ID } from './setup.ts';
export { generatedCodec } from './generated-codec.ts';
