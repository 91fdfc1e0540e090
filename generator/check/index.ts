// All lint rules, in the order their findings are most useful to read.
import type { Diagnostic } from '../diagnostics.ts';
import type { MessageSpec } from '../model/types.ts';
import { attributes } from './attributes.ts';
import { codes } from './codes.ts';
import { controls } from './controls.ts';
import { cycles } from './cycles.ts';
import { dates } from './dates.ts';
import { jsonMessage } from './json-message.ts';
import { keys } from './keys.ts';
import { messageRules } from './message-rules.ts';
import type { SpecRule } from './rule.ts';
import { structure } from './structure.ts';
import { versions } from './versions.ts';

export const RULES: readonly SpecRule[] = [versions, dates, structure, cycles, keys, attributes, codes, controls, jsonMessage, messageRules];
// Code list files are checked once when read (see load/index.ts), not once per message.;

export function checkSpec(spec: MessageSpec): Diagnostic[] {
  return RULES.flatMap((r) => r.check(spec));
}
