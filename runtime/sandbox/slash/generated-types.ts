// Adapts the generated JSON message types (generated/index.ts: JSON_MESSAGES, each with the Ajv
// `validateMessage` of its body) to the SLASH stand-in's validators, keyed by the type and
// version the proof names. The registry is passed in, so the stand-in itself stays free of any
// message type. Types FHI names that have no generated spec keep the structural check.
import { DEFAULT_MESSAGE_TYPES, typeKey, type MessageTypes, type SchemaError } from './validate.ts';

interface GeneratedJsonMessage {
  messageType: string;
  version: string;
  validators: Record<string, unknown>;
}

interface AjvLike {
  (data: unknown): boolean;
  errors?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }> | null;
}

export function generatedMessageTypes(messages: Readonly<Record<string, GeneratedJsonMessage>>): MessageTypes {
  const types: MessageTypes = { ...DEFAULT_MESSAGE_TYPES };
  for (const m of Object.values(messages)) {
    const validate = m.validators.validateMessage as AjvLike | undefined;
    if (typeof validate !== 'function') {
      types[typeKey(m.messageType, m.version)] = null; // known, but no schema to judge by: 2006
      continue;
    }
    types[typeKey(m.messageType, m.version)] = (message): SchemaError[] =>
      validate(message) ? [] : (validate.errors ?? []).map((e) => ({ location: e.instancePath ?? '', message: e.message ?? 'invalid' }));
  }
  return types;
}
