// generated/<message>/CHANGELOG.md: every version of one message, newest first, each with the
// semantic diff from the version before it. Deterministic (no dates but the spec's own).
import { generatedNotice } from './codegen.ts';
import { diffSpecs } from '../diff/index.ts';
import { diffView } from '../diff/render.ts';
import { compareVersions } from '../load/index.ts';
import { specId, type MessageSpec } from '../model/types.ts';
import { template } from '../templates/index.ts';

/** `spec/hst/56.0.0.yaml` whatever the working directory was when the spec was loaded. */
function sourceName(file: string): string {
  return file.split(/[\\/]/).slice(-3).join('/');
}

export function emitChangelog(specs: MessageSpec[]): string {
  if (specs.length === 0) throw new Error('emitChangelog needs at least one version');
  const message = specs[0].message;
  if (specs.some((s) => s.message !== message)) throw new Error('emitChangelog: all versions must be of one message');
  const sorted = [...specs].sort((x, y) => compareVersions(y.version, x.version));
  const versions = sorted.map((spec, i) => {
    const older = sorted[i + 1];
    const base = { id: specId(spec), title: spec.title, status: spec.status, published: spec.published, validFrom: spec.validFrom };
    if (!older) return base;
    return { ...base, previous: specId(older), ...diffView(older, spec, diffSpecs(older, spec)) };
  });
  return template('changelog.md.hbs')({
    banner: generatedNotice(sorted.map((s) => sourceName(s.file)).join(', ')),
    message,
    versions,
  });
}
