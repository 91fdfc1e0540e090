// Schema validation for the SLASH stand-in is given, not built in: the stand-in is handed a
// validator per message type and version (the generated JSON Schema validators, once the JSON
// message specs exist). Without one it checks only what FHI's public material says of every
// message: a JSON array of unit objects, each with `orgNr`. Errors come back in FHI's
// `errorDetails` form: `[{"Location":"/0","Errors":[{"Value":"…"}]}]`.

export interface SchemaError {
  /** JSON Pointer into the message, e.g. `/0` or `/0/avtale/3`. */
  location: string;
  message: string;
}

/** Validates one parsed message; returns no errors when it is valid. */
export type MessageValidator = (message: unknown) => SchemaError[];

/** `"<msg_type>|<msg_version>"` → its validator, or null for a type the receiver knows without a schema (2006). */
export type MessageTypes = Record<string, MessageValidator | null>;

export const typeKey = (msgType: string, msgVersion: string) => `${msgType}|${msgVersion}`;

/** FHI's public facts only: an array of unit objects, each naming its organisation (`orgNr`). */
export const unitArrayValidator: MessageValidator = (message) => {
  if (!Array.isArray(message)) return [{ location: '', message: 'The message must be an array of objects' }];
  const errors: SchemaError[] = [];
  message.forEach((unit, i) => {
    if (!unit || typeof unit !== 'object' || Array.isArray(unit)) errors.push({ location: `/${i}`, message: 'Value is not an object' });
    else if (!('orgNr' in unit)) errors.push({ location: `/${i}`, message: 'Required properties ["orgNr"] are not present' });
  });
  return errors;
};

/** The two types FHI names, both version 1, with the structural check only. */
export const DEFAULT_MESSAGE_TYPES: MessageTypes = {
  [typeKey('HST_Konsultasjon', '1')]: unitArrayValidator,
  [typeKey('HST_Avtale', '1')]: unitArrayValidator,
};

/** FHI's errorDetails text for schema errors, grouped by location in first-seen order. */
export function errorDetailsText(errors: SchemaError[]): string {
  const byLocation = new Map<string, Array<{ Value: string }>>();
  for (const e of errors) {
    let list = byLocation.get(e.location);
    if (!list) {
      list = [];
      byLocation.set(e.location, list);
    }
    list.push({ Value: e.message });
  }
  return JSON.stringify([...byLocation].map(([Location, Errors]) => ({ Location, Errors })));
}
