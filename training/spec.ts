import { dirname, isAbsolute, join, relative } from "node:path";
import { SpecError, type SpecIssue } from "../spec/errors.ts";
import { didYouMean } from "../spec/errors.ts";
import { readSpecFile, sha256Hex } from "../spec/files.ts";
import { loadSuite } from "../spec/load_suite.ts";
import { EPISODE_SPLITS } from "../spec/split_names.ts";
import type { EpisodeSplit, SuiteSpec } from "../spec/types.ts";
import { validateSpec } from "../spec/validate.ts";
import { issuesAt, parseYaml } from "../spec/yaml.ts";
import { normalizeVariants } from "../spec/variants.ts";
import { variantsFor } from "../variants/mod.ts";

export type {
  CurriculumPhase,
  EvaluateStage,
  ExportStage,
  GrpoStage,
  InitShape,
  SftStage,
  StageSpec,
  SynthesizeStage,
  TrainingSpec,
} from "./types.ts";
import type { CurriculumPhase, StageSpec, TrainingSpec } from "./types.ts";

const ALL_SPLITS: EpisodeSplit[] = [...EPISODE_SPLITS];
/** The name `from:` uses for the initial model. */
export const BASE = "base";

/**
 * The protocol a stage's policy was trained under: an SFT stage's data style (trajectory → direct,
 * trial → trial), a GRPO stage's `protocol`, followed through exports and `from:` chains. `null`
 * for the base model, which was trained under none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTraining, trainedProtocol } from "./spec.ts";
 * const t = await loadTraining("training/toolmaster-mini.yaml");
 * assert.ok(trainedProtocol(t.stages, "trajectory-sft-onnx") === "direct");
 * ```
 */
export function trainedProtocol(
  stages: readonly StageSpec[],
  name: string,
): "direct" | "trial" | null {
  const s = stages.find((x) => x.name === name);
  if (!s) return null;
  switch (s.kind) {
    case "export":
      return trainedProtocol(stages, s.from);
    case "grpo":
      return s.protocol;
    case "sft": {
      const data = stages.find((x) => x.name === s.data);
      return data?.kind === "synthesize" ? (data.style === "trial" ? "trial" : "direct") : null;
    }
    default:
      return null;
  }
}

// deno-lint-ignore no-explicit-any
type Raw = any;

/**
 * Load a `training:` file and the suite it names; every problem is a located SpecError. Refuses a
 * training set that overlaps an evaluation split, a stage referring to a missing or later stage,
 * and unknown keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTraining } from "./spec.ts";
 * const t = await loadTraining("training/toolmaster-mini.yaml");
 * assert.ok(t.stages.length > 0);
 * ```
 */
export async function loadTraining(file: string): Promise<TrainingSpec> {
  const text = await readSpecFile(file, { what: "training file" });
  const doc = parseYaml(text, file);
  const schemaIssues = validateSpec(doc, "training");
  if (schemaIssues.length > 0) throw new SpecError(schemaIssues);
  const raw = doc.value as Raw;
  const issues: SpecIssue[] = [];
  const at = issuesAt(doc);
  const dir = dirname(file);
  const rel = (p: string) => relative(Deno.cwd(), isAbsolute(p) ? p : join(dir, p)) || ".";

  let suite: SuiteSpec;
  try {
    suite = await loadSuite(rel(raw.suite));
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    if (err.issues.length === 1 && err.issues[0].message.endsWith("not found")) {
      throw new SpecError([
        at(
          "/suite",
          `suite ${rel(raw.suite)} not found`,
          "give the suite file relative to this file",
        ),
      ]);
    }
    throw err;
  }

  // What training sees, and what evaluation runs: they must not share an episode.
  const variantNames = [
    ...new Set(suite.envs.flatMap((e) => variantsFor(suite, e).map((v) => v.name))),
  ];
  // Training-only variants join the suite training sees; evaluation reads the suite file itself.
  const own = normalizeVariants(raw.variants, doc);
  for (const v of own) {
    if (variantNames.includes(v.name)) {
      issues.push(
        at(
          `/variants/${v.name}`,
          `variant "${v.name}" is already defined by suite ${suite.name}`,
          "give the training-only variant its own name",
        ),
      );
    }
  }
  if (own.length > 0) suite = { ...suite, variants: [...suite.variants, ...own] };
  const trainNames = [...variantNames, ...own.map((v) => v.name)];
  const checkVariants = (list: string[] | undefined, ptr: string, names: string[]) => {
    for (const [i, v] of (list ?? []).entries()) {
      if (!names.includes(v)) {
        const trainingOnly = trainNames.includes(v);
        issues.push(
          at(
            `${ptr}/${i}`,
            trainingOnly
              ? `variant "${v}" is defined for training only; evaluation runs the suite's variants`
              : `variant "${v}" is not in suite ${suite.name}`,
            didYouMean(v, names) ?? `the suite has ${names.join(", ")}`,
          ),
        );
      }
    }
  };
  const d = raw.data ?? {};
  const e = raw.evaluation ?? {};
  checkVariants(d.variants, "/data/variants", trainNames);
  checkVariants(e.variants, "/evaluation/variants", variantNames);
  const protocolNames = suite.protocols.map((p) => p.name);
  for (const [i, p] of (e.protocols ?? []).entries()) {
    if (!protocolNames.includes(p)) {
      issues.push(
        at(
          `/evaluation/protocols/${i}`,
          `protocol "${p}" is not in suite ${suite.name}`,
          didYouMean(p, protocolNames) ?? `the suite has ${protocolNames.join(", ")}`,
        ),
      );
    }
  }
  const data = {
    splits: (d.splits ?? ["seen"]) as EpisodeSplit[],
    variants: (d.variants ?? ["clean"]) as string[],
    seeds: Array.isArray(d.seeds ?? [1000])
      ? (d.seeds ?? [1000]) as number[]
      : Array.from({ length: d.seeds.count }, (_, i) => d.seeds.from + i),
    trial_budget: d.trial_budget ?? 6,
  };
  const evaluation = {
    splits: (e.splits ?? ALL_SPLITS) as EpisodeSplit[],
    variants: (e.variants ?? variantNames) as string[],
    protocols: (e.protocols ?? protocolNames) as string[],
    seeds: (e.seeds ?? suite.seeds) as number[],
    samples: e.samples ?? 1,
  };
  for (const [i, s] of data.splits.entries()) {
    if (s !== "seen") {
      issues.push(
        at(
          `/data/splits/${i}`,
          `training on split ${s} overlaps the evaluation split ${s}`,
          "training may use seen tasks only: the unseen splits measure generalization",
        ),
      );
    }
  }
  // A perturbed interface is a function of (variant, seed): training on one evaluation runs is
  // training on the evaluation split, and a training-only variant drawn from an evaluation seed
  // may draw the same names. Clean has no perturbation, so its seen tasks are fine.
  for (const [i, seed] of data.seeds.entries()) {
    if (!evaluation.seeds.includes(seed)) continue;
    const shared = data.variants.filter((v) =>
      v !== "clean" && (evaluation.variants.includes(v) || !variantNames.includes(v))
    );
    if (shared.length > 0) {
      issues.push(
        at(
          Array.isArray(d.seeds) ? `/data/seeds/${i}` : "/data/seeds",
          `variant seed ${seed} is also an evaluation seed: training would see the evaluated interfaces of ${
            shared.join(", ")
          }`,
          "use variant seeds for training that evaluation does not use",
        ),
      );
    }
  }

  // Stages: unique names; references to earlier stages of the right kind.
  const stages: StageSpec[] = [];
  const kinds = new Map<string, StageSpec["kind"]>();
  const ref = (
    i: number,
    key: string,
    name: string,
    allowed: StageSpec["kind"][],
    allowBase = false,
  ) => {
    if (allowBase && name === BASE) return;
    const kind = kinds.get(name);
    const pointer = `/stages/${i}/${key}`;
    if (kind === undefined) {
      const later = (raw.stages as Raw[]).slice(i + 1).some((s) => s.name === name);
      issues.push(
        at(
          pointer,
          later
            ? `stage "${name}" comes later; a stage can only use stages listed before it`
            : `no stage named "${name}"`,
          later ? "move it above this stage" : didYouMean(name, kinds.keys()) ??
            `earlier stages: ${[...kinds.keys()].join(", ") || "none"}${
              allowBase ? `, or ${BASE}` : ""
            }`,
        ),
      );
    } else if (!allowed.includes(kind)) {
      issues.push(
        at(pointer, `stage "${name}" is a ${kind} stage; this needs ${allowed.join(" or ")}`),
      );
    }
  };
  // A curriculum phase names environments of the suite and variants the data is made of.
  const envNames = suite.envs.map((x) => x.name);
  const dataVariants: string[] = d.variants ?? ["clean"];
  const curriculum = (phases: Raw[], ptr: string): CurriculumPhase[] =>
    phases.map((ph, n) => {
      const names = (list: string[], key: string, known: string[], what: string) => {
        for (const [k, x] of list.entries()) {
          if (!known.includes(x)) {
            issues.push(
              at(
                `${ptr}/curriculum/${n}/${key}/${k}`,
                `${what} "${x}" is not ${
                  key === "envs" ? `in suite ${suite.name}` : "among the data's variants"
                }`,
                didYouMean(x, known) ??
                  `the ${key === "envs" ? "suite" : "data"} has ${known.join(", ")}`,
              ),
            );
          }
        }
        return list;
      };
      return {
        envs: names(ph.envs, "envs", envNames, "environment"),
        ...(ph.variants
          ? { variants: names(ph.variants, "variants", dataVariants, "variant") }
          : {}),
        epochs: ph.epochs ?? 1,
      };
    });
  for (const [i, s] of (raw.stages as Raw[]).entries()) {
    const kind = (["synthesize", "sft", "grpo", "export", "evaluate"] as const).find((k) => k in s);
    if (!kind) {
      issues.push(
        at(`/stages/${i}`, "a stage needs one of synthesize, sft, grpo, export, evaluate"),
      );
      continue;
    }
    if (kinds.has(s.name) || s.name === BASE) {
      issues.push(
        at(
          `/stages/${i}/name`,
          s.name === BASE
            ? `"${BASE}" names the initial model`
            : `stage "${s.name}" is listed twice`,
          "give each stage its own name",
        ),
      );
    }
    const o = s[kind];
    let stage: StageSpec;
    switch (kind) {
      case "synthesize":
        stage = {
          name: s.name,
          index: i,
          kind,
          teacher: teacherName(o.teacher ?? (o.style === "trajectory" ? "oracle" : "explorer"), {
            suite,
            issue: (message, hint) =>
              issues.push(at(`/stages/${i}/synthesize/teacher`, message, hint)),
          }),
          style: o.style ?? "trial",
          samples: o.samples ?? 1,
          probe: o.probe ?? false,
          keep: {
            success: o.keep?.success ?? true,
            max_tokens: o.keep?.max_tokens ?? 4096,
            max_invalid_calls: o.keep?.max_invalid_calls,
            unique: o.keep?.unique ?? true,
          },
        };
        break;
      case "sft":
        ref(i, `sft/data`, o.data, ["synthesize"]);
        if (o.from !== undefined) ref(i, "sft/from", o.from, ["sft", "grpo"], true);
        stage = {
          name: s.name,
          index: i,
          kind,
          data: o.data,
          from: o.from ?? BASE,
          epochs: o.epochs ?? 1,
          batch: o.batch ?? 8,
          lr: o.lr ?? 1e-3,
          warmup: o.warmup ?? 0,
          checkpoint_every: o.checkpoint_every ?? 20,
          until_exact: o.until_exact ?? null,
          seed: o.seed ?? 0,
          ...(o.curriculum ? { curriculum: curriculum(o.curriculum, `/stages/${i}/sft`) } : {}),
        };
        break;
      case "grpo":
        ref(i, "grpo/from", o.from, ["sft", "grpo"], true);
        stage = {
          name: s.name,
          index: i,
          kind,
          from: o.from,
          steps: o.steps ?? 10,
          tasks_per_step: o.tasks_per_step ?? 4,
          group: o.group ?? 4,
          temperature: o.temperature ?? 1,
          top_k: o.top_k ?? 0,
          max_new_tokens: o.max_new_tokens ?? 96,
          protocol: o.protocol ?? "trial",
          lr: o.lr ?? 1e-4,
          epochs: o.epochs ?? 1,
          clip: o.clip ?? 0.2,
          kl: o.kl ?? 0.04,
          reward: {
            task: o.reward?.task ?? 1,
            format: o.reward?.format ?? 0.2,
            call_penalty: o.reward?.call_penalty ?? 0,
            no_call_format: o.reward?.no_call_format ?? 0,
            parsable: o.reward?.parsable ?? 0,
            tool: o.reward?.tool ?? 0,
          },
          min_success: o.min_success ?? 0,
          seed: o.seed ?? 0,
          // Only when on, so that files without the key keep their stage keys.
          ...(o.grammar ? { grammar: true } : {}),
          ...(o.max_tokens !== undefined ? { max_tokens: o.max_tokens } : {}),
        };
        break;
      case "export":
        ref(i, "export/from", o.from, ["sft", "grpo"], true);
        stage = {
          name: s.name,
          index: i,
          kind,
          from: o.from,
          to: o.to === undefined ? null : rel(o.to),
          tolerance: o.tolerance ?? 1e-4,
        };
        break;
      case "evaluate":
        for (const [j, a] of (o.agents as string[]).entries()) {
          ref(i, `evaluate/agents/${j}`, a, ["export"]);
        }
        stage = {
          name: s.name,
          index: i,
          kind,
          agents: o.agents,
          scripted: o.scripted ?? [],
          max_new_tokens: o.max_new_tokens ?? 96,
          tasks_per_env: o.tasks_per_env ?? null,
          grammar: o.grammar ?? false,
        };
        break;
    }
    kinds.set(s.name, kind);
    stages.push(stage);
  }
  // Each policy is evaluated under the protocol it was trained on: evaluation must run it.
  for (const st of stages) {
    if (st.kind !== "evaluate") continue;
    for (const [j, a] of st.agents.entries()) {
      const p = trainedProtocol(stages, a);
      if (p && !evaluation.protocols.includes(p)) {
        issues.push(
          at(
            `/stages/${st.index}/evaluate/agents/${j}`,
            `${a} was trained under the ${p} protocol, which evaluation.protocols leaves out`,
            `add ${p} to evaluation.protocols (each policy is compared under its own protocol)`,
          ),
        );
      }
    }
  }
  if (issues.length > 0) throw new SpecError(issues);

  const m = raw.model ?? {};
  if ((m.init === undefined) === (m.folder === undefined)) {
    throw new SpecError([
      at(
        "/model",
        "model needs exactly one of init or folder",
        "init: {hidden_size: …} or folder: path",
      ),
    ]);
  }
  let model: TrainingSpec["model"];
  if (m.init) {
    const heads = m.init.num_attention_heads, kv = m.init.num_key_value_heads;
    const headDim = m.init.head_dim ?? Math.floor(m.init.hidden_size / heads);
    if (heads % kv !== 0) {
      throw new SpecError([
        at(
          "/model/init/num_key_value_heads",
          `num_attention_heads (${heads}) must be a multiple of num_key_value_heads (${kv})`,
        ),
      ]);
    }
    if (headDim % 2 !== 0) {
      throw new SpecError([
        at("/model/init", `head_dim ${headDim} must be even (rotary embeddings pair dimensions)`),
      ]);
    }
    model = {
      init: {
        ...m.init,
        head_dim: headDim,
        max_position_embeddings: m.init.max_position_embeddings ?? 8192,
        seed: m.init.seed ?? 0,
      },
    };
  } else model = { folder: rel(m.folder) };

  return {
    name: raw.training,
    description: raw.description ?? "",
    file,
    sha256: await sha256Hex(text),
    suite,
    model,
    tokenizer: rel(raw.tokenizer ?? relative(dir, "models/tiny-random")),
    chat_template: raw.chat_template ?? "folder",
    data,
    evaluation,
    trainer: {
      command: raw.trainer?.command ?? null,
      device: raw.trainer?.device ?? "cpu",
      threads: raw.trainer?.threads ?? 2,
      max_restarts: raw.trainer?.max_restarts ?? 2,
      parallel: raw.trainer?.parallel ?? 1,
    },
    out: raw.out ?? `runs/train/${raw.training}`,
    stages,
  };
}

/**
 * torch (and onnxruntime) threads for one trainer process: the `threads` budget shared by the
 * `parallel` stages that may run at once, at least one; 0 (one per core) stays 0.
 */
export function trainerThreads(t: TrainingSpec["trainer"]): number {
  return t.threads === 0 ? 0 : Math.max(1, Math.floor(t.threads / t.parallel));
}

/** Scripted agents that can teach without a suite entry. */
const SCRIPTED_TEACHERS = ["explorer", "oracle", "memorizer"];

/** A teacher is a scripted agent or one of the suite's agents (an endpoint model, say). */
function teacherName(
  name: string,
  ctx: { suite: SuiteSpec; issue: (message: string, hint: string) => void },
): string {
  if (SCRIPTED_TEACHERS.includes(name) || ctx.suite.agents.some((a) => a.name === name)) {
    return name;
  }
  const names = [...SCRIPTED_TEACHERS, ...ctx.suite.agents.map((a) => a.name)];
  ctx.issue(
    `no teacher "${name}": not a scripted agent nor an agent of the suite`,
    didYouMean(name, names) ?? `use one of: ${names.join(", ")}`,
  );
  return name;
}
