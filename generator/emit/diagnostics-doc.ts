// Renders docs/diagnostics.md from the diagnostics catalogues (spec, mapping and record rules), so the page cannot drift from the code.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { MAPPING_DIAGNOSTICS } from '../../runtime/mapping/diagnostics.ts';
import { RULES } from '../../runtime/rules/catalogue.ts';
import { TENANT_DIAGNOSTICS } from '../../runtime/tenants/diagnostics.ts';
import { DIAGNOSTICS } from '../diagnostics.ts';

const hb = Handlebars.create();
// Markdown, not HTML: escape only what breaks a table cell.
hb.registerHelper('cell', (s: string) => new Handlebars.SafeString(String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ')));
const template = hb.compile(readFileSync(new URL('../templates/diagnostics.md.hbs', import.meta.url), 'utf8'), { noEscape: true });

export function emitDiagnosticsDoc(): string {
  return template({
    catalogues: [
      { title: 'KPR: spec files (kpr spec lint, build, check)', diagnostics: [...DIAGNOSTICS.values()] },
      { title: 'MAP: mapping files (kpr mapping compile, check)', diagnostics: [...MAPPING_DIAGNOSTICS.values()] },
      { title: 'TEN: tenants files (kpr tenants check, and every command that reads one)', diagnostics: [...TENANT_DIAGNOSTICS.defs.values()] },
    ],
    rules: [...RULES.values()],
  });
}
