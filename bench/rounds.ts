/**
 * Side-by-side timing for noisy machines: warm every case up, then run them in interleaved rounds
 * (so noise hits them alike) and return each case's median round in milliseconds.
 */
export async function interleavedMedians(
  cases: readonly (readonly [string, () => Promise<void>])[],
  rounds: number = Number(Deno.env.get("ROUNDS") ?? 15),
): Promise<number[]> {
  const times = cases.map(() => [] as number[]);
  for (let w = 0; w < 3; w++) for (const [, fn] of cases) await fn();
  for (let r = 0; r < rounds; r++) {
    for (const [i, [, fn]] of cases.entries()) {
      const t0 = performance.now();
      await fn();
      times[i].push(performance.now() - t0);
    }
  }
  return times.map((xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]);
}
