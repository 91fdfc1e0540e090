// The shared view of the two versions every change kind reads: classes, attributes and code
// lists paired by their official names, each thing's path from the root, and one `emit` that
// stamps a change with its catalogued severity. Kinds only decide *what* changed.

import { compareVersions } from '../load/index.ts';
import type { Attribute, ClassDef, CodeList, MessageSpec, SourcePos } from '../model/types.ts';
import type { Change, ChangeKind, ChangeSite } from './change.ts';

export interface Pair<T> {
  name: string;
  a?: T;
  b?: T;
}

export interface AttributePair {
  /** The class both versions define. */
  cls: string;
  clsLabel: string;
  name: string;
  path: string;
  a?: Attribute;
  b?: Attribute;
}

export type ChangeFields = Omit<Change, 'kind' | 'severity'>;

export interface DiffContext {
  a: MessageSpec;
  b: MessageSpec;
  /** Every class of either version, paired by name. */
  classes: Pair<ClassDef>[];
  /** Attributes of the classes both versions define, paired by name. */
  attributes: AttributePair[];
  /** Code lists of either version, paired by number. */
  codelists: Pair<CodeList>[];
  /** `Melding/Notifikasjon/Konsultasjon`: the class's first path from the root. */
  classPath(name: string): string;
  emit(kind: ChangeKind, fields: ChangeFields): void;
}

export function site(at: SourcePos | undefined): ChangeSite | undefined {
  return at ? { file: at.file, line: at.line } : undefined;
}

/** "amming (Amming)": the official name with its Norwegian label when the label says more. */
export function named(name: string, label?: string): string {
  return label && label !== name ? `${name} (${label})` : name;
}

/** Paired items in a stable order: `b`'s order first, then what only `a` has, in `a`'s order. */
export function pair<T>(as: readonly T[], bs: readonly T[], key: (t: T) => string): Pair<T>[] {
  const out = new Map<string, Pair<T>>();
  for (const t of bs) out.set(key(t), { name: key(t), b: t });
  for (const t of as) {
    const p = out.get(key(t));
    if (p) p.a = t;
    else out.set(key(t), { name: key(t), a: t });
  }
  return [...out.values()];
}

/** Depth-first from the root in sequence order: the first path that reaches each class. */
function classPaths(spec: MessageSpec): Map<string, string> {
  const paths = new Map<string, string>();
  const byName = new Map(spec.classes.map((c) => [c.name, c]));
  const visit = (name: string, path: string) => {
    if (paths.has(name)) return;
    paths.set(name, path);
    for (const ch of byName.get(name)?.children ?? []) visit(ch.class, `${path}/${ch.class}`);
  };
  visit(spec.root, spec.root);
  return paths;
}

export function createContext(a: MessageSpec, b: MessageSpec, out: Change[]): DiffContext {
  // Paths are taken from the newer version, so that diff(a, b) and diff(b, a) name things alike;
  // between two files of the same version, the first path in code-unit order.
  const order = compareVersions(a.version, b.version);
  const pathsA = classPaths(a),
    pathsB = classPaths(b);
  const classPath = (name: string) => {
    const pa = pathsA.get(name),
      pb = pathsB.get(name);
    if (pa === undefined || pb === undefined) return pa ?? pb ?? name;
    if (order !== 0) return order > 0 ? pa : pb;
    // biome-ignore lint/complexity/useMathMinMax: paths are strings here, compared as text; Math.min would turn them into NaN
    return pa < pb ? pa : pb;
  };

  const classes = pair(a.classes, b.classes, (c) => c.name);
  // A JSON message type's members are properties, not XML attributes: `Enhet/avtale.datoTid`.
  const sep = a.kind === 'json' && b.kind === 'json' ? '.' : '/@';
  const attributes: AttributePair[] = [];
  for (const c of classes) {
    if (!c.a || !c.b) continue;
    for (const p of pair(c.a.attributes, c.b.attributes, (x) => x.name)) {
      attributes.push({ cls: c.name, clsLabel: c.b.label, name: p.name, path: `${classPath(c.name)}${sep}${p.name}`, a: p.a, b: p.b });
    }
  }
  const codelists = pair([...a.codelists.values()], [...b.codelists.values()], (l) => l.number);
  return {
    a,
    b,
    classes,
    attributes,
    codelists,
    classPath,
    emit(kind, fields) {
      // One key order for every change, and no `"label": undefined` noise in JSON.
      const change: Change = {
        kind: kind.id,
        severity: kind.severity,
        path: fields.path,
        label: fields.label,
        description: fields.description,
        before: fields.before,
        after: fields.after,
        from: fields.from,
        to: fields.to,
      };
      for (const k of Object.keys(change) as (keyof Change)[]) if (change[k] === undefined) delete change[k];
      out.push(change);
    },
  };
}
