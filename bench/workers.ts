/**
 * `bench --workers 2` against `--workers 1` on one suite (default suites/full.yaml), side by side:
 * rounds of one run each, in alternating order, each a fresh `deno run -A cli.ts bench` process
 * under `/usr/bin/time` (wall, CPU, peak RSS), with the load average before each. First, the floor:
 * the same plain JavaScript work (building, stringifying and parsing small objects) split over two
 * worker threads against one thread doing it all, the best wall ratio any split of CPU-bound
 * JavaScript gets on this machine (0.5× on two cores that run two threads at full speed).
 *
 * `deno run -A bench/workers.ts [suite.yaml] [rounds] [workers]` (default 1 round, 2 workers)
 */
const file = Deno.args[0] ?? "suites/full.yaml";
const rounds = Number(Deno.args[1] ?? 1);
const many = Number(Deno.args[2] ?? 2);
const timed = await Deno.stat("/usr/bin/time").then(() => true, () => false);

interface Run {
  wall: number;
  cpu?: number;
  rssMiB?: number;
}

async function once(workers: number): Promise<Run> {
  const out = await Deno.makeTempDir({ prefix: "tooltrial-workers-" });
  const args = ["run", "-A", "cli.ts", "bench", file, "--quiet", "--workers", String(workers)];
  const cmd = timed
    ? new Deno.Command("/usr/bin/time", {
      args: ["-f", "%e %U %S %M", Deno.execPath(), ...args, "--out", out],
      stderr: "piped",
      stdout: "null",
    })
    : new Deno.Command(Deno.execPath(), { args: [...args, "--out", out], stderr: "piped" });
  const t0 = performance.now();
  const r = await cmd.output();
  const wall = (performance.now() - t0) / 1000;
  await Deno.remove(out, { recursive: true });
  const err = new TextDecoder().decode(r.stderr);
  if (!r.success) throw new Error(`bench --workers ${workers} failed:\n${err}`);
  if (!timed) return { wall };
  const [e, u, s, m] = err.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { wall: e, cpu: u + s, rssMiB: m / 1024 };
}

/** Plain JavaScript work, `n` steps, on a worker thread of its own. */
const SPLIT_WORK = `self.onmessage = (e) => {
  let acc = 0;
  for (let i = 0; i < e.data; i++) {
    const s = JSON.stringify({ id: i, name: "t" + (i % 97), args: { q: "x".repeat(i % 13), n: i } });
    acc += JSON.parse(s).args.n % 7 + s.length;
  }
  self.postMessage(acc);
};`;

/** Wall ms of `steps` steps of SPLIT_WORK split evenly over `threads` worker threads. */
async function split(threads: number, steps: number): Promise<number> {
  const url = URL.createObjectURL(new Blob([SPLIT_WORK], { type: "text/javascript" }));
  const ws = Array.from({ length: threads }, () => new Worker(url, { type: "module" }));
  const t0 = performance.now();
  await Promise.all(ws.map((w) =>
    new Promise((done) => {
      w.onmessage = done;
      w.postMessage(Math.round(steps / threads));
    })
  ));
  const ms = performance.now() - t0;
  for (const w of ws) w.terminate();
  URL.revokeObjectURL(url);
  return ms;
}

const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
const fmt = (r: Run) =>
  `${r.wall.toFixed(2)} s wall${r.cpu !== undefined ? `, ${r.cpu.toFixed(2)} s CPU` : ""}${
    r.rssMiB !== undefined ? `, ${r.rssMiB.toFixed(0)} MiB peak` : ""
  }`;
console.log(
  `bench ${file}: --workers ${many} vs --workers 1, ${rounds} round${
    rounds > 1 ? "s" : ""
  } (${navigator.hardwareConcurrency} cores)`,
);
await split(many, 200_000); // warm both ways
const floors: string[] = [];
for (let i = 0; i < 3; i++) {
  const one = await split(1, 2_000_000), two = await split(many, 2_000_000);
  floors.push(`${(two / one).toFixed(2)}× (${one.toFixed(0)} → ${two.toFixed(0)} ms)`);
}
console.log(`  floor, plain JS on ${many} threads ÷ 1: ${floors.join(", ")}`);
const ratios: number[] = [];
for (let i = 0; i < rounds; i++) {
  const before = load();
  // Alternate which goes first, so a change in load falls on both alike.
  const order = i % 2 === 0 ? [1, many] : [many, 1];
  const got = new Map<number, Run>();
  for (const w of order) got.set(w, await once(w));
  const [one, two] = [got.get(1)!, got.get(many)!];
  ratios.push(two.wall / one.wall);
  console.log(
    `  round ${i + 1} (load ${before}): 1 worker ${fmt(one)}; ${many} workers ${fmt(two)}: wall ${
      (two.wall / one.wall).toFixed(2)
    }×${
      one.cpu !== undefined && two.cpu !== undefined
        ? `, CPU ${(two.cpu / one.cpu).toFixed(2)}×`
        : ""
    }`,
  );
}
console.log(
  `  wall ratio ${Math.min(...ratios).toFixed(2)}–${
    Math.max(...ratios).toFixed(2)
  }× (load now ${load()})`,
);
