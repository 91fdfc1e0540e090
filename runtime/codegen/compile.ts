// Generated JavaScript, made one way: data reaches the source only as literals (JSON text is a
// JavaScript expression of the same value, quotes and escapes included), and the source is
// compiled once with `new Function`, its helpers passed in by name rather than reached through
// scope. The one home of this for the mapping's code generator (mapping/codegen.ts), its JSON
// writer (mapping/json-writer.ts) and the semantic rules' walk (rules/semantic.ts).

/**
 * `v` as a JavaScript literal. (undefined, which has no JSON, gives the text `undefined`: what a
 * template literal would have written.) JSON text is a JavaScript expression of the same value but
 * for one key: in an object literal `"__proto__": x` sets the prototype instead of a property, so
 * that key is written computed (`["__proto__"]: x`), which makes an own property as JSON.parse does.
 */
export function literal(v: unknown): string {
  if (v === null || typeof v !== 'object') return String(JSON.stringify(v));
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return literal((v as { toJSON(): unknown }).toJSON());
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : literal(x))).join(',')}]`;
  const members: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || typeof x === 'function') continue;
    members.push(`${k === '__proto__' ? '["__proto__"]' : JSON.stringify(k)}:${literal(x)}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * Compiles `source`, a function body that returns what was generated, with `helpers` as its
 * parameters, and runs it once: the result is the generated function.
 */
export function compileSource<T>(helpers: Record<string, unknown>, source: string): T {
  const names = Object.keys(helpers);
  return new Function(...names, source)(...names.map((n) => helpers[n])) as T;
}
