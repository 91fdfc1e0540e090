// A tenant's settings are the tenants file's `defaults` with the tenant's own on top: mappings
// merge key by key, anything else (lists, values) the tenant gives replaces the default. Each
// setting keeps where it was written, so an error points into the file that holds it.
import type { Positions } from '../config/load.ts';
import type { Path, Position } from '../yaml/positions.ts';

type Data = Record<string, unknown>;

const isMapping = (v: unknown): v is Data => v !== null && typeof v === 'object' && !Array.isArray(v);

export function merge(base: unknown, over: unknown): unknown {
  if (!isMapping(base) || !isMapping(over)) return over === undefined ? base : over;
  const out: Data = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** Whether `data` holds a value at `path`. */
function holds(data: unknown, path: Path): boolean {
  let node = data;
  for (const step of path) {
    if (isMapping(node) && Object.hasOwn(node, String(step))) node = node[String(step)];
    else if (Array.isArray(node) && typeof step === 'number' && step < node.length) node = node[step];
    else return false;
  }
  return true;
}

/** One layer of settings: its data and where its root is written. */
export interface Layer {
  data: unknown;
  at(path: Path, opts?: { key?: boolean }): Position;
}

/**
 * Positions in the merged settings: a value the tenant wrote is the tenant's, one it took from
 * the defaults is the defaults'; inside a list only the layer that gave the list has it. A
 * missing setting points at the tenant (it is the tenant that lacks it).
 */
export function mergedPositions(defaults: Layer, tenant: Layer): Positions {
  return {
    pos(path, opts) {
      // The longest prefix one of the layers holds decides: the tenant's when both do.
      for (let n = path.length; n >= 0; n--) {
        const prefix = path.slice(0, n);
        if (holds(tenant.data, prefix) && (n > 0 || !holds(defaults.data, path))) return tenant.at(path, opts);
        if (n > 0 && holds(defaults.data, prefix)) return defaults.at(path, opts);
      }
      return tenant.at([], opts);
    },
  };
}
