/**
 * `bench --workers 2` against `--workers 1` on one suite (default suites/full.yaml), side by side:
 * rounds of one run each, in alternating order, each a fresh `deno run -A cli.ts bench` process
 * under `/usr/bin/time` (wall, CPU, peak RSS), with the load average before each.
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
