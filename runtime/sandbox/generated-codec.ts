// Adapts the generated message registry (generated/index.ts: fromXml and the schema of each
// message version) to the sandbox's MessageCodec. The sandbox judges as the receiver does: by
// the official XSD (runtime/message/xsd-level.ts), not by the kit's stricter schema, whose
// extra strictness the receiver leaves to its published controls and their consequences. The registry is passed in, so the
// sandbox itself stays free of any message version.
import { xsdLevelValidator } from '../message/xsd-level.ts';
import type { MeldingJson, MessageCodec } from './codec.ts';

interface GeneratedMessage {
  xml: { fromXml(xml: string | Uint8Array): unknown };
  validators: Record<string, unknown>;
  schemaFile?: URL;
}

interface AjvLike {
  (data: unknown): boolean;
  errors?: Array<{ instancePath?: string; message?: string }> | null;
}

/** `messages` is `MESSAGES` from generated/index.ts, keyed "hst@56.0.0". */
export function generatedCodec(messages: Readonly<Record<string, GeneratedMessage>>): MessageCodec {
  return {
    parse(xml, messageType, version) {
      const id = `${messageType.toLowerCase()}@${version}`;
      const info = messages[id];
      if (!info) return { errors: [`unknown messageType/messageVersion ${messageType} ${version} (known: ${Object.keys(messages).join(', ')})`] };
      let melding: unknown;
      try {
        melding = info.xml.fromXml(xml);
      } catch (err) {
        return { errors: [(err as Error).message] };
      }
      const validate = (info.schemaFile ? xsdLevelValidator(info.schemaFile) : info.validators.validateMelding) as AjvLike | undefined;
      if (validate && !validate(melding)) {
        return { errors: (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`) };
      }
      return { melding: melding as MeldingJson };
    },
  };
}
