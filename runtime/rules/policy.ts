// The consequence policy: what the kit does with a record, given what the receiver publishes it
// would do (docs/consequences.md). The receiver's "Ingen handling" is sent unchanged with a
// warning; "Sett verdi til -1 / NULL / 0" sends the value the receiver would set, with a warning
// naming the original; "Slettemerk rad" and "Slettemerk melding" hold the record back for
// correction. Whatever the consequence, nothing goes out that the official XSD would refuse: the
// kit's JSON Schema is stricter than the XSD (code lists as enums, lengths), and where it is, the
// published consequence decides, but only as far as the XSD agrees. A strict profile holds back
// everything the receiver would log or change.

import { ruleOf } from './catalogue.ts';
import type { Consequence } from '../spec/consequence.ts';
import type { Action, Issue } from './issue.ts';
import type { Target, TargetAttribute } from '../spec/target.ts';
import { isRealDate, isRealDateTime } from './dates.ts';

/** `receiver`: the receiver's consequences (the default); `strict`: any error holds the record. */
export type Profile = 'receiver' | 'strict';

export const PROFILES: readonly Profile[] = ['receiver', 'strict'];

/** The policy table (docs/consequences.md renders the same). */
export const POLICY: Readonly<Record<Consequence, { action: Action; published: string; kit: string }>> = {
  none: { action: 'sent', published: 'Ingen handling', kit: 'sent unchanged, with a warning' },
  'set-null': {
    action: 'substituted',
    published: 'Sett verdi til NULL',
    kit: 'sent without the value (an empty text where the XSD requires the attribute), with a warning naming the original',
  },
  'set-minus-one': { action: 'substituted', published: 'Sett verdi til -1', kit: 'sent as -1, with a warning naming the original' },
  'set-zero': { action: 'substituted', published: 'Sett verdi til 0', kit: 'sent as 0, with a warning naming the original' },
  'discard-row': { action: 'held', published: 'Slettemerk rad med underelementer', kit: 'held back until the EPJ sends a corrected version' },
  'discard-message': { action: 'held', published: 'Slettemerk melding', kit: 'held back: sending it would cost the whole Melding' },
};

/** What the profile makes of one finding's consequence. */
export function actionOf(issue: Pick<Issue, 'consequence' | 'rule' | 'severity'>, profile: Profile): Action {
  const action = POLICY[issue.consequence].action;
  if (profile === 'strict' && action !== 'held' && ruleOf(issue.rule)?.severity !== 'warning') return 'held';
  return action;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Whether the official XSD takes `v` for the attribute (absent: `undefined`). */
export function xsdAccepts(attr: TargetAttribute, v: unknown): boolean {
  if (v === undefined) return !attr.required;
  if (attr.fixed !== undefined) return String(v) === String(attr.fixed);
  if (typeof v === 'string' && attr.maxLength !== undefined && xsdMaxLength(attr) && [...v].length > attr.maxLength) return false;
  switch (attr.kind) {
    case 'integer':
      return typeof v === 'number' ? Number.isSafeInteger(v) : typeof v === 'string' && /^[+-]?\d+$/.test(v.trim());
    case 'nonNegativeInteger':
      return typeof v === 'number' ? Number.isSafeInteger(v) && v >= 0 : typeof v === 'string' && /^\+?\d+$/.test(v.trim());
    case 'date':
      return typeof v === 'string' && isRealDate(v, true);
    case 'dateTime':
      return typeof v === 'string' && isRealDateTime(v, true);
    case 'guid':
      return typeof v === 'string' && GUID.test(v);
    default:
      // xs:string and the code lists (their XSD types restrict xs:string by nothing).
      return typeof v === 'string' || typeof v === 'number';
  }
}

/**
 * Whether the attribute's maxLength is the XSD's (a facet of its NPR type, as IPLOS `bydel`'s 6)
 * rather than the receiver's "Streng max N tegn", which the XSD leaves to the published control:
 * the spec format keeps one maxLength, and a published `^.{0,N}$` says where it came from.
 */
function xsdMaxLength(attr: TargetAttribute): boolean {
  const regex = attr.controls.datatype?.regex;
  return !(regex && /^\^\.\{0,\d+\}\$$/.test(regex));
}

/** The value the receiver would set, as the attribute's type writes it; undefined for NULL. */
function substitute(attr: TargetAttribute, c: Consequence): unknown {
  const numeric = attr.kind === 'integer' || attr.kind === 'nonNegativeInteger';
  if (c === 'set-minus-one') return numeric ? -1 : '-1';
  if (c === 'set-zero') return numeric ? 0 : '0';
  // NULL: left out where the XSD allows it; an empty text where it requires a string.
  return attr.required && (attr.kind === 'string' || attr.kind === 'coded') ? '' : undefined;
}

/** The attribute a JSON pointer inside the root class ends on, if any. */
export function attributeAt(target: Target, rootClass: string, pointer: string): TargetAttribute | undefined {
  let cls = target.classes.get(rootClass);
  const parts = pointer.split('/').slice(1);
  for (let i = 0; i < parts.length && cls; i++) {
    const p = parts[i];
    const child = cls.children.get(p);
    if (child) {
      cls = target.classes.get(child.name);
      if (child.array) i++;
      continue;
    }
    return i === parts.length - 1 ? cls.attributes.get(p) : undefined;
  }
  return undefined;
}

type Obj = Record<string, unknown>;

/** The object holding the attribute a pointer ends on, and the attribute's name. */
function holder(root: Obj, pointer: string): [Obj, string] | undefined {
  const parts = pointer.split('/').slice(1);
  let o: unknown = root;
  for (let i = 0; i < parts.length - 1; i++) {
    if (o === null || typeof o !== 'object') return undefined;
    o = (o as Obj)[parts[i]];
  }
  return o !== null && typeof o === 'object' && parts.length ? [o as Obj, parts[parts.length - 1]] : undefined;
}

const shown = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/**
 * Decides every finding of one record: sets `action`, and for the ones the receiver would
 * change, changes the value (in place) and names the original in the message. Returns true when
 * the record may be sent; `issues` then holds only warnings.
 */
export function settle(target: Target, rootClass: string, value: Obj, issues: Issue[], profile: Profile): boolean {
  let held = false;
  // Per attribute, the strongest action wins: one held finding holds the record, a substitution
  // beats sending unchanged.
  const byPath = new Map<string, Issue[]>();
  for (const i of issues) {
    let a = actionOf(i, profile);
    const attr = a === 'held' || !i.path ? undefined : attributeAt(target, rootClass, i.path);
    // A finding the kit cannot place on an attribute cannot be substituted or checked: held.
    if (a !== 'held' && !attr && i.severity !== 'warning') a = 'held';
    i.action = a;
    if (a === 'held') held = true;
    else (byPath.get(i.path) ?? byPath.set(i.path, []).get(i.path)!).push(i);
  }
  if (held) return false;
  for (const [path, list] of byPath) {
    const attr = attributeAt(target, rootClass, path);
    const at = holder(value, path);
    if (!attr || !at) continue;
    const [obj, name] = at;
    const sub = list.find((i) => i.action === 'substituted');
    const original = obj[name] !== undefined ? obj[name] : list.find((i) => i.original !== undefined)?.original;
    let final: unknown = original;
    if (sub) final = substitute(attr, sub.consequence);
    else if (typeof final === 'number' || typeof final === 'boolean') final = attr.kind === 'integer' || attr.kind === 'nonNegativeInteger' ? final : String(final);
    if (!xsdAccepts(attr, final)) {
      // The XSD would refuse what the receiver's consequence leaves: the Melding would be lost.
      for (const i of list) {
        i.action = 'held';
        i.message +=
          final === undefined
            ? `; held back: the official XSD requires ${name}, and the consequence leaves it out`
            : `; held back: the official XSD would refuse ${shown(final)} for ${name}`;
      }
      return false;
    }
    if (final === undefined) delete obj[name];
    else obj[name] = final;
    for (const i of list) {
      i.severity = 'warning';
      if (sub) {
        i.action = 'substituted';
        i.original = original;
        i.message += `; sent as ${shown(final)} instead of ${shown(original)} (${POLICY[sub.consequence].published})`;
      }
    }
  }
  return true;
}

/** How a finding's consequence reads to an operator, and whose it is. */
export interface ConsequenceWords {
  /** The receiver's words ("Ingen handling", "Sett verdi til -1" …), or the kit's free text. */
  words: string;
  /**
   * `receiver`: the specification publishes it for the attribute; `kit`: the kit chose it (a
   * rule of its own); `text`: a free text of the kit's, not one of the six consequences.
   */
  whose: 'receiver' | 'kit' | 'text';
  /** What the kit does with the record because of it. */
  kit: string;
}

/**
 * The consequence of a stored finding (a Consequence key, its published words, the kit's action
 * for it, or a free text such as "not sent") in words: a rule whose consequence is the published one speaks the
 * receiver's words; a rule of the kit's with a consequence of its own choosing says so, never
 * passing it off as the receiver's (docs/consequences.md).
 */
export function consequenceWords(rule: string, consequence: string): ConsequenceWords {
  const p =
    (POLICY as Record<string, (typeof POLICY)[Consequence] | undefined>)[consequence] ?? Object.values(POLICY).find((x) => x.published === consequence || x.kit === consequence);
  if (!p) return { words: consequence, whose: 'text', kit: consequence };
  const def = ruleOf(rule);
  const whose = !def || def.consequence === 'published' || def.owner === 'receiver-control' ? 'receiver' : 'kit';
  return { words: p.published, whose, kit: p.kit };
}

/**
 * One line: the receiver's words and what the kit did, or the kit's own choice marked as such.
 * `held`: for a record held back, where the kit's action for the consequence is not what
 * happened (the XSD would have refused what "Ingen handling" sends, say): the words alone.
 */
export function describeConsequence(c: ConsequenceWords, held = false): string {
  if (c.whose === 'receiver') return `the receiver's consequence «${c.words}»${held ? '' : `: ${c.kit}`}`;
  if (c.whose === 'kit') return `the kit's own rule (no published consequence)${held ? '' : `: ${c.kit}`}`;
  return c.words;
}
