// Small shared helpers of the benchmarks: timing with warm-up, and peak RSS sampling.
export function timeIt(fn: () => void, minMs = 500): { perIteration: number; iterations: number } {
  for (let i = 0; i < 3; i++) fn(); // warm up the JIT
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    fn();
    iterations++;
    elapsed = performance.now() - start;
  }
  return { perIteration: elapsed / iterations, iterations };
}

export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
