// Quality controls fit their attribute: XPaths point at attributes the message has, presence
// controls sit on attributes that must be present, code controls on coded attributes.
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { MessageSpec } from '../model/types.ts';
import type { SpecRule } from './rule.ts';

/** The attribute names a published XPath can reach, e.g. `/Melding/@uttakDato` → `uttakDato`. */
function xpathAttribute(xpath: string): string | undefined {
  return /@([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(xpath.replace(/^xPath:/, ''))?.[1];
}

export const controls: SpecRule = {
  ids: ['KPR1504', 'KPR1505', 'KPR1506', 'KPR1507'],
  check(spec: MessageSpec) {
    const out: Diagnostic[] = [];
    const allAttributes = new Set(spec.classes.flatMap((c) => c.attributes.map((a) => a.name)));
    for (const c of spec.classes) {
      for (const a of c.attributes) {
        const where = `${c.name}/@${a.name}`;
        const unused = a.use === 'prohibited' || a.use === 'ignored';
        if (unused && a.controls.length) out.push(diag('KPR1506', a.controls[0].at ?? a.at, `${where} is ${a.use} but has quality controls`));
        for (const ctl of a.controls) {
          const at = ctl.at ?? a.at;
          if (ctl.kind === 'required' && a.use === 'optional') out.push(diag('KPR1505', at, `${where} is optional but the receiver treats it as obligatory`));
          if (ctl.kind === 'code' && a.type !== 'coded') out.push(diag('KPR1507', at, `${where} has a code control but type ${a.type}`));
          const paths = ctl.kind === 'code' ? [ctl.validOn] : ctl.kind === 'range' ? [ctl.from, ctl.to] : [];
          for (const p of paths) {
            if (!p) continue;
            const name = xpathAttribute(p);
            if (name && !allAttributes.has(name)) out.push(diag('KPR1504', at, `${where}: ${p} names @${name}, which this message does not have`));
          }
        }
      }
    }
    return out;
  },
};
