// Renders docs/diagnostics.md from the diagnostics catalogue, so the page cannot drift from the code.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { DIAGNOSTICS } from '../diagnostics.ts';

const hb = Handlebars.create();
// Markdown, not HTML: escape only what breaks a table cell.
hb.registerHelper('cell', (s: string) => new Handlebars.SafeString(String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ')));
const template = hb.compile(readFileSync(new URL('../templates/diagnostics.md.hbs', import.meta.url), 'utf8'), { noEscape: true });

export function emitDiagnosticsDoc(): string {
  return template({ diagnostics: [...DIAGNOSTICS.values()] });
}
