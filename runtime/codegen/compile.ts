// Generated JavaScript, made one way: data reaches the source only as literals (JSON text is a
// JavaScript expression of the same value, quotes and escapes included), and the source is
// compiled once with `new Function`, its helpers passed in by name rather than reached through
// scope. The one home of this for the mapping's code generator (mapping/codegen.ts), its JSON
// writer (mapping/json-writer.ts) and the semantic rules' walk (rules/semantic.ts).

/**
 * `v` as a JavaScript literal. (undefined, which has no JSON, gives the text `undefined`: what a
 * template literal would have written.)
 */
export function literal(v: unknown): string {
  return String(JSON.stringify(v));
}

/**
 * Compiles `source`, a function body that returns what was generated, with `helpers` as its
 * parameters, and runs it once: the result is the generated function.
 */
export function compileSource<T>(helpers: Record<string, unknown>, source: string): T {
  const names = Object.keys(helpers);
  return new Function(...names, source)(...names.map((n) => helpers[n])) as T;
}
