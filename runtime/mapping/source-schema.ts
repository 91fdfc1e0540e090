// The source description: a JSON Schema of one EPJ record (examples/demo-epj/source.schema.json).
// The checker asks it two things about a path: does it exist, and what type of value is there
// (with the enum, when the source declares one, for checking translation tables are total).

import type { ValueType } from './transforms.ts';

// biome-ignore lint/suspicious/noExplicitAny: a source schema is user JSON Schema, walked by key
type Json = Record<string, any>;

export interface SourceInfo {
  type: ValueType;
  /** The values the source may hold here, when it says so. */
  enum?: unknown[];
  /** The schema node, for stepping further (into `each` items). */
  node: Json;
}

export class SourceSchema {
  constructor(readonly root: Json) {}

  private resolve(n: Json | undefined): Json | undefined {
    let cur = n;
    for (let guard = 0; cur && typeof cur.$ref === 'string' && guard < 20; guard++) {
      const ref: string = cur.$ref;
      if (!ref.startsWith('#/')) return undefined;
      cur = ref
        .slice(2)
        .split('/')
        .reduce<Json | undefined>((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], this.root);
    }
    return cur;
  }

  /** The alternatives a node stands for (oneOf/anyOf branches, or itself). */
  private branches(n: Json | undefined): Json[] {
    const r = this.resolve(n);
    if (!r || typeof r !== 'object') return []; // `false` schemas forbid; `true` says nothing
    const alts = r.oneOf ?? r.anyOf;
    if (Array.isArray(alts)) return alts.flatMap((a: Json) => this.branches(a));
    const out = [r];
    if (Array.isArray(r.allOf)) out.push(...r.allOf.flatMap((a: Json) => this.branches(a)));
    // if/then/else refines the base: both outcomes are possible shapes of the value.
    if (r.then) out.push(...this.branches(r.then));
    if (r.else) out.push(...this.branches(r.else));
    return out;
  }

  /**
   * Steps from `node` along `segments`. Returns undefined when the path cannot exist (a closed
   * object without that property), `open` when the schema does not say.
   */
  lookup(node: Json, segments: (string | number)[]): SourceInfo | undefined | 'open' {
    let nodes = this.branches(node);
    for (const s of segments) {
      const next: Json[] = [];
      let open = false;
      // A bare `type: object` beside refined alternatives (if/then/else) says nothing; only
      // when no alternative lists properties is an unknown name possible.
      const described = nodes.some((n) => n.properties);
      for (const n of nodes) {
        if (typeof s === 'string' && described && !n.properties) continue;
        if (typeof s === 'number') {
          if (n.items && typeof n.items === 'object') next.push(...this.branches(n.items));
          else if (n.type === undefined || n.type === 'array') open = true;
        } else if (n.properties && Object.hasOwn(n.properties, s)) {
          next.push(...this.branches(n.properties[s]));
        } else if (n.additionalProperties !== false && n.unevaluatedProperties !== false && (n.type === undefined || n.type === 'object')) {
          open = true;
        }
      }
      if (!next.length) return open ? 'open' : undefined;
      nodes = next;
    }
    return this.info(nodes);
  }

  /** The schema of the items of the array at `node`. */
  itemsOf(node: Json): Json | undefined {
    const items = this.branches(node)
      .map((n) => n.items)
      .filter((i) => i && typeof i === 'object');
    if (!items.length) return undefined;
    return items.length === 1 ? items[0] : { anyOf: items };
  }

  private info(nodes: Json[]): SourceInfo {
    const types = new Set<ValueType>();
    const values: unknown[] = [];
    let anyEnum = true;
    for (const n of nodes) {
      types.add(typeOf(n));
      if (Array.isArray(n.enum)) values.push(...n.enum);
      else if (n.const !== undefined) values.push(n.const);
      else anyEnum = false;
    }
    const type = types.size === 1 ? [...types][0] : types.size === 2 && types.has('integer') && types.has('number') ? 'number' : 'any';
    const node = nodes.length === 1 ? nodes[0] : { anyOf: nodes };
    return anyEnum && values.length ? { type, enum: [...new Set(values)], node } : { type, node };
  }
}

function typeOf(n: Json): ValueType {
  const t = Array.isArray(n.type) ? n.type.filter((x: string) => x !== 'null') : [n.type];
  if (t.length !== 1) return Array.isArray(n.enum) && n.enum.every((e: unknown) => typeof e === 'string') ? 'string' : 'any';
  switch (t[0]) {
    case 'string':
      return n.format === 'date-time' ? 'instant' : n.format === 'date' ? 'date' : 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'array';
    case 'object':
      return 'object';
    default:
      if (Array.isArray(n.enum) && n.enum.every((e: unknown) => typeof e === 'string')) return 'string';
      return 'any';
  }
}
