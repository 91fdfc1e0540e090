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

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export interface Timing {
  /** Median wall-clock milliseconds. */
  wall: number;
  /** Median CPU milliseconds (user + system) of this process: steadier when the machine is shared. */
  cpu: number;
}

/**
 * Times each function over `runs` rounds after one warm-up round. The functions alternate
 * within a round, so load from other processes hits both alike.
 */
export function timeInterleaved(runs: number, fns: Array<() => unknown>): Timing[] {
  for (const fn of fns) fn();
  const wall: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, k) => {
      const c = process.cpuUsage();
      const t = performance.now();
      fn();
      wall[k]!.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu[k]!.push((d.user + d.system) / 1000);
    });
  }
  return fns.map((_, k) => ({ wall: median(wall[k]!), cpu: median(cpu[k]!) }));
}

/** Samples this process's RSS every 50 ms; the returned function stops and gives the peak in MB. */
export function rssSampler(): () => number {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return () => {
    clearInterval(t);
    return Math.max(peak, process.memoryUsage().rss) / 1024 / 1024;
  };
}
