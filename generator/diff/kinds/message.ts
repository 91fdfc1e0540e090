// Message metadata: namespace, root, version, validity and the title-page facts.
import { named, site } from '../context.ts';
import type { MessageSpec } from '../../model/types.ts';
import type { ChangeSite } from '../change.ts';
import { kind, type DiffRule } from './rule.ts';

const namespaceChanged = kind(
  'namespace-changed',
  'breaking',
  'namespace-changed',
  'The XML namespace changed: every message must declare the new one, and messages in the old namespace fail schema validation.',
);
const rootChanged = kind('root-changed', 'breaking', 'root-changed', 'The root element changed: no message written for the old root is valid.');
const versionChanged = kind(
  'message-version-changed',
  'info',
  'message-version-changed',
  'The version number of the specification. What senders must change because of it (Melding/@versjon) is reported as fixed-value-changed.',
);
const validityChanged = kind(
  'validity-changed',
  'info',
  'validity-changed',
  'The date from which the specification applies moved. It tells vendors when to switch; it does not change what a valid message is.',
);
const metadataChanged = kind(
  'metadata-changed',
  'info',
  'metadata-changed',
  'Title-page facts changed (schema version, standard, title, status, publication date, description): documentation only.',
);

const META: readonly { key: keyof MessageSpec; label: string }[] = [
  { key: 'schemaVersion', label: 'Skjemaversjon' },
  { key: 'standard', label: 'Standard' },
  { key: 'title', label: 'Tittel' },
  { key: 'status', label: 'Status' },
  { key: 'published', label: 'Utgitt dato' },
  { key: 'description', label: 'Beskrivelse' },
];

export const message: DiffRule = {
  kinds: [namespaceChanged, rootChanged, versionChanged, validityChanged, metadataChanged],
  detect(ctx) {
    const { a, b } = ctx;
    const both = (key: string) => ({ before: keySite(a, key), after: keySite(b, key) });
    if (a.namespace !== b.namespace) {
      ctx.emit(namespaceChanged, {
        path: 'message/namespace',
        label: 'Navnerom',
        ...both('namespace'),
        from: a.namespace,
        to: b.namespace,
        description: `The XML namespace changed from ${a.namespace} to ${b.namespace}.`,
      });
    }
    if (a.root !== b.root) {
      ctx.emit(rootChanged, {
        path: 'message/root',
        label: 'Rotelement',
        ...both('root'),
        from: a.root,
        to: b.root,
        description: `The root element changed from ${a.root} to ${b.root}.`,
      });
    }
    if (a.version !== b.version) {
      ctx.emit(versionChanged, {
        path: 'message/version',
        label: 'Versjon',
        ...both('version'),
        from: a.version,
        to: b.version,
        description: `The specification version changed from ${a.version} to ${b.version}.`,
      });
    }
    if (a.validFrom !== b.validFrom) {
      ctx.emit(validityChanged, {
        path: 'message/validFrom',
        label: 'Gjelder fra og med',
        ...both('validFrom'),
        from: a.validFrom,
        to: b.validFrom,
        description: `The specification now applies from ${b.validFrom} (was ${a.validFrom}).`,
      });
    }
    for (const { key, label } of META) {
      if (a[key] === b[key]) continue;
      ctx.emit(metadataChanged, {
        path: `message/${key}`,
        label,
        ...both(key),
        from: a[key],
        to: b[key],
        description: `${named(key, label)} changed from ${show(a[key])} to ${show(b[key])}.`,
      });
    }
  },
};

function show(v: unknown): string {
  if (v === undefined) return '(none)';
  const s = String(v).replace(/\s+/g, ' ');
  return s.length > 60 ? `"${s.slice(0, 57)}..."` : `"${s}"`;
}

// Each title-page key's own position, as the loader recorded it.
function keySite(spec: MessageSpec, key: string): ChangeSite | undefined {
  return site(spec.metaAt?.[key] ?? spec.at);
}
