// The file path, message id, version, schema version and the fixed Melding/@versjon agree.
import { basename, dirname } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { SpecRule } from './rule.ts';

export const versions: SpecRule = {
  ids: ['KPR1102'],
  check(spec) {
    const out: Diagnostic[] = [];
    const fileVersion = basename(spec.file).replace(/\.ya?ml$/, '');
    const folder = basename(dirname(spec.file));
    if (fileVersion !== spec.version) {
      out.push(diag('KPR1102', spec.metaAt.version ?? spec.at, `file ${basename(spec.file)} holds version ${spec.version}; name it ${spec.version}.yaml`));
    }
    if (folder !== spec.message) {
      out.push(diag('KPR1102', spec.metaAt.message ?? spec.at, `message ${spec.message} is in folder ${folder}/; move it to ${spec.message}/`));
    }
    // A JSON message type has no XSD, so no schema version.
    if (spec.kind === 'xml' && !spec.schemaVersion.startsWith(`${spec.version}.`)) {
      out.push(diag('KPR1102', spec.metaAt.schemaVersion ?? spec.at, `schemaVersion ${spec.schemaVersion} does not start with version ${spec.version}`));
    }
    const root = spec.classes.find((c) => c.name === spec.root);
    const versjon = root?.attributes.find((a) => a.name === 'versjon');
    if (versjon?.fixed !== undefined && versjon.fixed !== spec.version) {
      out.push(diag('KPR1102', versjon.at, `${spec.root}/@versjon is fixed to ${versjon.fixed} but the spec is version ${spec.version}`));
    }
    return out;
  },
};
