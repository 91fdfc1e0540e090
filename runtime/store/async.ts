// The Store's methods returning promises: what a store on a server (PostgreSQL, through `pg`)
// can offer without faking synchronous I/O. The runtime speaks AsyncStore; `asyncStore` lets
// SQLite (synchronous, `Store`) stand behind it too, so one contract suite judges both and every
// job runs on either (docs/postgres.md).
import type { Store } from './types.ts';

type Method<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/** Every method of `Store` (SLASH's per-unit queue included), the same arguments, a promise of the same result. */
export type AsyncStore = { readonly path: string } & { [K in Exclude<keyof Store, 'path'>]: Method<Store[K]> };

/**
 * `store` behind AsyncStore. Each call runs at once (synchronously, as before) and its result or
 * error comes back as a settled promise, so the order of effects is the order of calls.
 */
export function asyncStore(store: Store): AsyncStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          return Promise.resolve(value.apply(target, args));
        } catch (err) {
          return Promise.reject(err);
        }
      };
    },
  }) as unknown as AsyncStore;
}
