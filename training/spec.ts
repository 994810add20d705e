import { dirname, isAbsolute, join, relative } from "node:path";
import { SpecError, type SpecIssue } from "../spec/errors.ts";
import { didYouMean } from "../spec/errors.ts";
import { readSpecFile, sha256Hex } from "../spec/files.ts";
import { loadSuite } from "../spec/load_suite.ts";
import type { EpisodeSplit, SuiteSpec } from "../spec/types.ts";
import { validateSpec } from "../spec/validate.ts";
import { issuesAt, parseYaml } from "../spec/yaml.ts";
import { normalizeVariants, type RawVariants } from "../spec/variants.ts";
import { withDefaults } from "../spec/schema/defaults.ts";
import type { FromSchema } from "../spec/schema/from_schema.ts";
import { trainingSchema } from "../spec/schema/training.schema.ts";
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

/** The training schema's source, whose `$defs` its `$ref`s point into. */
type Schema = ReturnType<typeof trainingSchema>;
/**
 * A training document as written (after schema validation): derived from the schema's source, so a
 * schema change is a type error here; variants are a `$ref` into variants.json.
 */
type Raw = Omit<FromSchema<Schema, Schema["$defs"]>, "variants"> & { variants?: RawVariants };
/** The training schema's source (spec/schema/training.json is written from it): its defaults. */
const SCHEMA = trainingSchema();
const DEFS = SCHEMA.$defs;
/** One phase of an sft stage's `curriculum:`, as written. */
type RawPhase = NonNullable<
  NonNullable<Raw["stages"][number]["sft"]>["curriculum"]
>[number];

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
  const raw = withDefaults(SCHEMA, doc.value as Raw);
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
  const d = withDefaults(SCHEMA.properties.data, raw.data);
  const e = withDefaults(SCHEMA.properties.evaluation, raw.evaluation);
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
  const seeds = d.seeds;
  const data = {
    splits: d.splits as EpisodeSplit[],
    variants: d.variants,
    seeds: Array.isArray(seeds)
      ? seeds
      : Array.from({ length: seeds.count }, (_, i) => seeds.from + i),
    trial_budget: d.trial_budget,
  };
  // What evaluation runs defaults to the suite's own (no schema default can say that).
  const evaluation = {
    splits: e.splits as EpisodeSplit[],
    variants: e.variants ?? variantNames,
    protocols: e.protocols ?? protocolNames,
    seeds: e.seeds ?? suite.seeds,
    samples: e.samples,
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
          Array.isArray(raw.data?.seeds) ? `/data/seeds/${i}` : "/data/seeds",
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
      const later = raw.stages.slice(i + 1).some((s) => s.name === name);
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
  const curriculum = (
    phases: readonly RawPhase[],
    ptr: string,
  ): CurriculumPhase[] =>
    phases.map((raw, n) => {
      const ph = withDefaults(DEFS.sft.properties.curriculum.items, raw);
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
        epochs: ph.epochs,
      };
    });
  for (const [i, s] of raw.stages.entries()) {
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
    let stage: StageSpec;
    switch (kind) {
      case "synthesize": {
        const o = withDefaults(DEFS.synthesize, s.synthesize);
        const keep = withDefaults(DEFS.synthesize.properties.keep, o.keep);
        stage = {
          name: s.name,
          index: i,
          kind,
          teacher: teacherName(o.teacher ?? (o.style === "trajectory" ? "oracle" : "explorer"), {
            suite,
            issue: (message, hint) =>
              issues.push(at(`/stages/${i}/synthesize/teacher`, message, hint)),
          }),
          style: o.style,
          samples: o.samples,
          probe: o.probe,
          keep: {
            success: keep.success,
            max_tokens: keep.max_tokens,
            max_invalid_calls: keep.max_invalid_calls,
            unique: keep.unique,
          },
        };
        break;
      }
      case "sft": {
        const o = withDefaults(DEFS.sft, s.sft!);
        ref(i, `sft/data`, o.data, ["synthesize"]);
        ref(i, "sft/from", o.from, ["sft", "grpo"], true);
        stage = {
          name: s.name,
          index: i,
          kind,
          data: o.data,
          from: o.from,
          epochs: o.epochs,
          batch: o.batch,
          lr: o.lr,
          warmup: o.warmup,
          checkpoint_every: o.checkpoint_every,
          until_exact: o.until_exact ?? null,
          seed: o.seed,
          ...(o.curriculum ? { curriculum: curriculum(o.curriculum, `/stages/${i}/sft`) } : {}),
        };
        break;
      }
      case "grpo": {
        const o = withDefaults(DEFS.grpo, s.grpo!);
        const reward = withDefaults(DEFS.grpo.properties.reward, o.reward);
        ref(i, "grpo/from", o.from, ["sft", "grpo"], true);
        stage = {
          name: s.name,
          index: i,
          kind,
          from: o.from,
          steps: o.steps,
          tasks_per_step: o.tasks_per_step,
          group: o.group,
          temperature: o.temperature,
          top_k: o.top_k,
          max_new_tokens: o.max_new_tokens,
          protocol: o.protocol,
          lr: o.lr,
          epochs: o.epochs,
          clip: o.clip,
          kl: o.kl,
          reward: {
            task: reward.task,
            format: reward.format,
            call_penalty: reward.call_penalty,
            no_call_format: reward.no_call_format,
            parsable: reward.parsable,
            tool: reward.tool,
          },
          min_success: o.min_success,
          seed: o.seed,
          // Only when on, so that files without the key keep their stage keys.
          ...(o.grammar ? { grammar: true } : {}),
          ...(o.max_tokens !== undefined ? { max_tokens: o.max_tokens } : {}),
        };
        break;
      }
      case "export": {
        const o = withDefaults(DEFS.export, s.export!);
        ref(i, "export/from", o.from, ["sft", "grpo"], true);
        stage = {
          name: s.name,
          index: i,
          kind,
          from: o.from,
          to: o.to === undefined ? null : rel(o.to),
          tolerance: o.tolerance,
        };
        break;
      }
      case "evaluate": {
        const o = withDefaults(DEFS.evaluate, s.evaluate!);
        for (const [j, a] of o.agents.entries()) {
          ref(i, `evaluate/agents/${j}`, a, ["export"]);
        }
        stage = {
          name: s.name,
          index: i,
          kind,
          agents: o.agents,
          scripted: o.scripted,
          max_new_tokens: o.max_new_tokens,
          tasks_per_env: o.tasks_per_env ?? null,
          grammar: o.grammar,
        };
        break;
      }
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
    const init = withDefaults(SCHEMA.properties.model.properties.init, m.init);
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
        max_position_embeddings: init.max_position_embeddings,
        seed: init.seed,
      },
    };
  } else model = { folder: rel(m.folder!) };

  const trainer = withDefaults(SCHEMA.properties.trainer, raw.trainer);
  return {
    name: raw.training,
    description: raw.description ?? "",
    file,
    sha256: await sha256Hex(text),
    suite,
    model,
    tokenizer: rel(raw.tokenizer ?? relative(dir, "models/tiny-random")),
    chat_template: raw.chat_template,
    data,
    evaluation,
    trainer: {
      command: trainer.command ?? null,
      device: trainer.device,
      threads: trainer.threads,
      max_restarts: trainer.max_restarts,
      parallel: trainer.parallel,
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
