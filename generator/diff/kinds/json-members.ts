// What only JSON message types (kind: json) have: where a member comes from (a guess confirmed
// by a publication reads as inferred → published), null allowed or not, enums, numeric bounds,
// presence of array members, and the message type's name and body shape. Between the sample-based
// HST_Avtale and FHI's schema, these are exactly what the transcription guessed.
import type { Attribute, ChildRef, MessageSpec, Provenance } from '../../model/types.ts';
import { named, pair, site, type DiffContext } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const published = kind(
  'member-provenance-published',
  'info',
  'member-provenance-inferred',
  'A member read off a sample is now published (in a schema): its type, presence and limits are no longer guesses. Check the other changes at the same path.',
);
const inferred = kind(
  'member-provenance-inferred',
  'warning',
  'member-provenance-published',
  'A published member is now only inferred from a sample: its type, presence and limits are guesses.',
);
const nullAdded = kind('member-nullable-added', 'info', 'member-nullable-removed', 'A member may now be JSON null: messages valid before stay valid.');
const nullRemoved = kind('member-nullable-removed', 'breaking', 'member-nullable-added', 'A member may no longer be JSON null: messages that send null fail validation.');
const enumNarrowed = kind('enum-narrowed', 'breaking', 'enum-widened', 'A member accepts fewer values (or is now limited to an enum): messages with the others fail validation.');
const enumWidened = kind('enum-widened', 'info', 'enum-narrowed', 'A member accepts more values (or its enum was dropped): messages valid before stay valid.');
const boundTightened = kind('bound-tightened', 'breaking', 'bound-loosened', 'A numeric minimum or maximum is stricter (or new): values valid before may be rejected.');
const boundLoosened = kind('bound-loosened', 'info', 'bound-tightened', 'A numeric minimum or maximum is looser (or dropped): values valid before stay valid.');
const presenceRequired = kind(
  'member-presence-required',
  'breaking',
  'member-presence-optional',
  'An array member must now be sent (even when empty): messages without it fail validation.',
);
const presenceOptional = kind('member-presence-optional', 'info', 'member-presence-required', 'An array member may now be left out: messages valid before stay valid.');
const bodyChanged = kind(
  'message-body-changed',
  'breaking',
  'message-body-changed',
  'The message body changed shape (a JSON array of root objects ↔ one root object): every sender must change.',
);
const typeNameChanged = kind(
  'message-type-changed',
  'breaking',
  'message-type-changed',
  "The JSON message type's official name (msg_type) changed: senders must send the new name.",
);

type Bound = { v: number; exclusive: boolean } | undefined;

function lower(a: Attribute): Bound {
  const m = a.minimum,
    x = a.exclusiveMinimum;
  if (m === undefined && x === undefined) return undefined;
  if (x !== undefined && (m === undefined || x >= m)) return { v: x, exclusive: true };
  return { v: m!, exclusive: false };
}

function upper(a: Attribute): Bound {
  const m = a.maximum,
    x = a.exclusiveMaximum;
  if (m === undefined && x === undefined) return undefined;
  if (x !== undefined && (m === undefined || x <= m)) return { v: x, exclusive: true };
  return { v: m!, exclusive: false };
}

/** > 0 when `b` admits fewer values than `a` on that side. */
function stricter(a: Bound, b: Bound, side: 'lower' | 'upper'): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const dir = side === 'lower' ? 1 : -1;
  if (a.v !== b.v) return (b.v - a.v) * dir > 0 ? 1 : -1;
  return a.exclusive === b.exclusive ? 0 : b.exclusive ? 1 : -1;
}

function showBound(b: Bound, side: 'lower' | 'upper'): string {
  if (!b) return 'none';
  return `${side === 'lower' ? (b.exclusive ? '>' : '≥') : b.exclusive ? '<' : '≤'} ${b.v}`;
}

const showProvenance = (p?: Provenance) => (p ? `${p.status} (${p.source})` : 'none');
const childRequired = (c: ChildRef) => c.required ?? c.min > 0;

function members(ctx: DiffContext) {
  const out: {
    path: string;
    label?: string;
    who: string;
    a: { provenance?: Provenance; nullable?: boolean; at: Attribute['at'] };
    b: { provenance?: Provenance; nullable?: boolean; at: Attribute['at'] };
  }[] = [];
  for (const c of ctx.classes) if (c.a && c.b) out.push({ path: ctx.classPath(c.name), label: c.b.label, who: named(c.name, c.b.label), a: c.a, b: c.b });
  for (const p of ctx.attributes) if (p.a && p.b) out.push({ path: p.path, label: p.b.label, who: `${named(p.name, p.b.label)} on ${p.cls}`, a: p.a, b: p.b });
  return out;
}

function messageLevel(ctx: DiffContext, a: MessageSpec, b: MessageSpec) {
  const ja = a.json,
    jb = b.json;
  if (!ja || !jb) return;
  const at = (s: MessageSpec, k: string) => site(s.metaAt[k] ?? s.at);
  if (ja.body !== jb.body) {
    ctx.emit(bodyChanged, {
      path: 'message/body',
      label: 'Body',
      before: at(a, 'body'),
      after: at(b, 'body'),
      from: ja.body,
      to: jb.body,
      description: `The message body is now ${jb.body === 'array' ? 'a JSON array of root objects' : 'one root object'} (was ${ja.body === 'array' ? 'an array' : 'one object'}).`,
    });
  }
  if (ja.messageType !== jb.messageType) {
    ctx.emit(typeNameChanged, {
      path: 'message/messageType',
      label: 'msg_type',
      before: at(a, 'messageType'),
      after: at(b, 'messageType'),
      from: ja.messageType,
      to: jb.messageType,
      description: `The message type is now ${jb.messageType} (was ${ja.messageType}).`,
    });
  }
}

export const jsonMembers: DiffRule = {
  kinds: [published, inferred, nullAdded, nullRemoved, enumNarrowed, enumWidened, boundTightened, boundLoosened, presenceRequired, presenceOptional, bodyChanged, typeNameChanged],
  detect(ctx) {
    messageLevel(ctx, ctx.a, ctx.b);
    for (const m of members(ctx)) {
      const common = { path: m.path, label: m.label, before: site(m.a.at), after: site(m.b.at) };
      const pa = m.a.provenance?.status,
        pb = m.b.provenance?.status;
      if (pa === 'inferred' && pb === 'published')
        ctx.emit(published, {
          ...common,
          from: showProvenance(m.a.provenance),
          to: showProvenance(m.b.provenance),
          description: `${m.who} is now published (was inferred from ${m.a.provenance!.source}).`,
        });
      if (pa === 'published' && pb === 'inferred')
        ctx.emit(inferred, {
          ...common,
          from: showProvenance(m.a.provenance),
          to: showProvenance(m.b.provenance),
          description: `${m.who} is now only inferred from ${m.b.provenance!.source} (was published).`,
        });
    }
    for (const p of ctx.attributes) {
      if (!p.a || !p.b) continue;
      const who = `${named(p.name, p.b.label)} on ${p.cls}`;
      const common = { path: p.path, label: p.b.label, before: site(p.a.at), after: site(p.b.at) };
      if (!p.a.nullable && p.b.nullable) ctx.emit(nullAdded, { ...common, description: `${who} may now be null.` });
      if (p.a.nullable && !p.b.nullable) ctx.emit(nullRemoved, { ...common, description: `${who} may no longer be null.` });
      const ea = p.a.enum,
        eb = p.b.enum;
      const show = (e?: unknown[]) => (e ? e.map((v) => JSON.stringify(v)).join(', ') : 'any value');
      const lost = ea === undefined ? eb !== undefined : eb !== undefined && ea.some((v) => !eb.includes(v));
      const gained = eb === undefined ? ea !== undefined : ea !== undefined && eb.some((v) => !ea.includes(v));
      if (lost) ctx.emit(enumNarrowed, { ...common, from: show(ea), to: show(eb), description: `${who} now accepts ${show(eb)} (was ${show(ea)}).` });
      if (gained) ctx.emit(enumWidened, { ...common, from: show(ea), to: show(eb), description: `${who} now accepts ${show(eb)} (was ${show(ea)}).` });
      for (const [side, get] of [
        ['lower', lower],
        ['upper', upper],
      ] as const) {
        const ba = get(p.a),
          bb = get(p.b);
        const s = stricter(ba, bb, side);
        if (s === 0) continue;
        ctx.emit(s > 0 ? boundTightened : boundLoosened, {
          ...common,
          from: showBound(ba, side),
          to: showBound(bb, side),
          description: `${who}: ${side} bound ${showBound(bb, side)} (was ${showBound(ba, side)}).`,
        });
      }
    }
    for (const parent of ctx.classes) {
      if (!parent.a || !parent.b) continue;
      for (const p of pair(parent.a.children, parent.b.children, (c) => c.class)) {
        if (!p.a || !p.b) continue;
        const path = `${ctx.classPath(parent.name)}/${p.name}`;
        const common = { path, before: site(p.a.at), after: site(p.b.at) };
        if (!p.a.nullable && p.b.nullable) ctx.emit(nullAdded, { ...common, description: `${p.name} in ${parent.name} may now be null.` });
        if (p.a.nullable && !p.b.nullable) ctx.emit(nullRemoved, { ...common, description: `${p.name} in ${parent.name} may no longer be null.` });
        // Presence that the cardinality does not already say (child-min-raised/-lowered do).
        const ra = childRequired(p.a),
          rb = childRequired(p.b);
        if (ra === rb || p.a.min > 0 !== p.b.min > 0) continue;
        ctx.emit(rb ? presenceRequired : presenceOptional, {
          ...common,
          description: `${p.name} in ${parent.name} ${rb ? 'must now be sent, even when empty' : 'may now be left out'}.`,
        });
      }
    }
  },
};
