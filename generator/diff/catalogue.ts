// Every diff rule, in the order their changes are most useful to read, and the catalogue of
// change kinds built from them. docs/changelog.md's table is generated from CHANGE_KINDS and a
// test checks the two agree, so the documentation cannot drift from the code.
import type { ChangeKind } from './change.ts';
import { acceptedCodesRule } from './kinds/accepted-codes.ts';
import { attributeType } from './kinds/attribute-type.ts';
import { attributeUse } from './kinds/attribute-use.ts';
import { attributes } from './kinds/attributes.ts';
import { childOrder } from './kinds/child-order.ts';
import { children } from './kinds/children.ts';
import { classes } from './kinds/classes.ts';
import { codelists } from './kinds/codelists.ts';
import { codes } from './kinds/codes.ts';
import { consequences } from './kinds/consequences.ts';
import { controls } from './kinds/controls.ts';
import { documentation } from './kinds/documentation.ts';
import { exactlyOne } from './kinds/exactly-one.ts';
import { fixed } from './kinds/fixed.ts';
import { jsonMembers } from './kinds/json-members.ts';
import { keys } from './kinds/keys.ts';
import { labels } from './kinds/labels.ts';
import { message } from './kinds/message.ts';
import { messageRules } from './kinds/message-rules.ts';
import { range } from './kinds/range.ts';
import { restrictions } from './kinds/restrictions.ts';
import type { DiffRule } from './kinds/rule.ts';

export const RULES: readonly DiffRule[] = [
  message,
  messageRules,
  classes,
  children,
  childOrder,
  exactlyOne,
  keys,
  attributes,
  attributeUse,
  attributeType,
  restrictions,
  jsonMembers,
  fixed,
  acceptedCodesRule,
  controls,
  consequences,
  range,
  codelists,
  codes,
  labels,
  documentation,
];

export const CHANGE_KINDS: ReadonlyMap<string, ChangeKind> = new Map(RULES.flatMap((r) => r.kinds).map((k) => [k.id, k]));
