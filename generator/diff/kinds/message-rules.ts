// Message-level rules of the published text (`rules:`, e.g. IPLOS "Om status på notifikasjon"),
// paired by their stable id: a rule added, removed, or whose text or enforcement changed.
import type { MessageRule } from '../../model/types.ts';
import { pair, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const ruleAdded = kind(
  'message-rule-added',
  'warning',
  'message-rule-removed',
  'A new rule in the published text: senders may have to change what or when they report, though the XSD may not check it.',
);
const ruleRemoved = kind('message-rule-removed', 'info', 'message-rule-added', 'A rule of the published text is gone: what met it still meets the rest.');
const ruleChanged = kind(
  'message-rule-changed',
  'warning',
  'message-rule-changed',
  'The text of a published rule, its chapter, or how the kit enforces it changed: read the new text.',
);

/** What a reader of the rule must notice: its words and how the kit applies them. */
const shape = (r: MessageRule) =>
  `${r.chapter}: ${r.text} [${r.enforcedBy ? `enforced by ${r.enforcedBy.join(', ')}` : `not enforced: ${r.notEnforced ?? ''}`}${r.note ? `; ${r.note}` : ''}]`;

export const messageRules: DiffRule = {
  kinds: [ruleAdded, ruleRemoved, ruleChanged],
  detect(ctx) {
    for (const p of pair(ctx.a.rules, ctx.b.rules, (r) => r.id)) {
      const path = `message/rule:${p.name}`;
      if (p.b && !p.a) {
        ctx.emit(ruleAdded, { path, label: p.b.title, after: site(p.b.at), to: p.b.text, description: `New rule ${p.name} (${p.b.chapter}): ${p.b.title}.` });
      } else if (p.a && !p.b) {
        ctx.emit(ruleRemoved, { path, label: p.a.title, before: site(p.a.at), from: p.a.text, description: `The rule ${p.name} (${p.a.title}) is gone.` });
      } else if (p.a && p.b && shape(p.a) !== shape(p.b)) {
        ctx.emit(ruleChanged, {
          path,
          label: p.b.title,
          before: site(p.a.at),
          after: site(p.b.at),
          from: shape(p.a),
          to: shape(p.b),
          description: `The rule ${p.name} (${p.b.title}) changed.`,
        });
      }
    }
  },
};
