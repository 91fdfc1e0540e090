// The three faces of a diff: Markdown (Handlebars, for reviews and changelogs), JSON (for
// machines) and plain text (for terminals). All three show the same changes in the same order.
import { specId, type MessageSpec } from '../model/types.ts';
import { template, type Template } from '../templates/index.ts';
import { SEVERITIES, type Change, type ChangeSeverity, type ChangeSite } from './change.ts';
import { countBySeverity } from './index.ts';

const TITLES: Record<ChangeSeverity, string> = {
  breaking: 'Breaking changes',
  warning: 'Changes that may break',
  info: 'Other changes',
};

const where = (s?: ChangeSite) => (s ? `${s.file}:${s.line}` : '');

/** The view every Markdown template receives: see generator/templates/diff.md.hbs. */
export function diffView(a: MessageSpec, b: MessageSpec, changes: readonly Change[]) {
  const counts = countBySeverity(changes);
  return {
    from: { id: specId(a), version: a.version, validFrom: a.validFrom, file: a.file, title: a.title },
    to: { id: specId(b), version: b.version, validFrom: b.validFrom, file: b.file, title: b.title, status: b.status, published: b.published },
    counts,
    total: changes.length,
    groups: SEVERITIES.filter((s) => counts[s] > 0).map((s) => ({
      severity: s,
      title: TITLES[s],
      count: counts[s],
      changes: changes.filter((c) => c.severity === s).map((c) => ({ ...c, beforeAt: where(c.before), afterAt: where(c.after) })),
    })),
  };
}

export function renderMarkdown(a: MessageSpec, b: MessageSpec, changes: readonly Change[], own?: Template): string {
  return (own ?? template('diff.md.hbs'))(diffView(a, b, changes));
}

export function renderJson(a: MessageSpec, b: MessageSpec, changes: readonly Change[]): string {
  return `${JSON.stringify({ from: specId(a), to: specId(b), summary: countBySeverity(changes), changes }, null, 2)}\n`;
}

export function renderText(a: MessageSpec, b: MessageSpec, changes: readonly Change[]): string {
  const counts = countBySeverity(changes);
  const lines = [`${specId(a)} → ${specId(b)}: ${counts.breaking} breaking, ${counts.warning} warning, ${counts.info} info`];
  // Worst first, as in the Markdown; the order within a severity is the diff's own.
  for (const c of SEVERITIES.flatMap((s) => changes.filter((c) => c.severity === s))) {
    const sites = [where(c.before), where(c.after)].filter(Boolean).join(' → ');
    lines.push('', `${c.severity.toUpperCase().padEnd(8)} ${c.kind}  ${c.path}${c.label ? ` (${c.label})` : ''}`, `         ${c.description}`);
    if (sites) lines.push(`         ${sites}`);
  }
  return `${lines.join('\n')}\n`;
}
