import type { Expr, Template } from "./expr.ts";
import type { EPISODE_SPLITS } from "./split_names.ts";

/** One row of a state table. */
export type Row = Record<string, unknown>;
/** Environment state: named tables. Never mutated; effects build a new state (copy-on-write per table). */
export type State = Readonly<Record<string, readonly Row[]>>;
/** A JSON Schema object (the tool's parameters). */
export type JsonSchema = Record<string, unknown>;

/** A reference call: a tool name and its arguments, in the environment's canonical names. */
export interface Call {
  /** The tool's name as the environment declares it. */
  tool: string;
  /** Argument name → value, as the tool's parameters schema takes them. */
  args: Record<string, unknown>;
  /**
   * The same arguments as the agent spelled them, where it wrote JSON text: integral numbers
   * written as floats (`1.0`) kept as tasks/calls' PyFloat. Only `bfcl`-mode checks read it.
   */
  spelled?: Record<string, unknown>;
}

/** An HTTP tool's request: each part is rendered per call from `{state}` with `$args` bound. */
export interface HttpRequestSpec {
  /** HTTP verb of the request. */
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path template, appended to the env's base URL; `{{…}}` parts are URL-encoded. */
  path: Template;
  /** Query parameter → template; a part that renders empty is left out. */
  query: [string, Template][];
  /** Header → template (sent, but not part of a cassette's key). */
  headers: [string, Template][];
  /** JSONata giving the JSON body (absent: no body). */
  body?: Expr;
}

/**
 * Where a tool's answer comes from: JSONata over the state (`jsonata`), a sandboxed TypeScript
 * function (`handler`), a tool of a declared MCP server (`mcp`), or an HTTP request (`http`).
 */
export type ToolBackend =
  | { kind: "jsonata" }
  | { kind: "handler"; module: string; fn: string }
  | { kind: "mcp"; server: string; tool: string }
  | { kind: "http"; request: HttpRequestSpec };

/** A tool, normalized: compiled expressions, defaults filled in. */
export interface ToolSpec {
  /** Canonical tool name (unique in its environment; variants may rename it). */
  name: string;
  /** What the tool does, as offered to the agent. */
  description: string;
  /** JSON Schema of the arguments, checked before the backend runs. */
  parameters: JsonSchema;
  /** Checked before any backend runs. */
  errors: { when: Expr; message: Template }[];
  /** [table, expression giving the table's new rows] in declaration order (jsonata tools). */
  effect: [string, Expr][];
  /** The result (jsonata tools), or a reshaping of the backend's answer bound to `$result`. */
  result?: Expr;
  /** Where the answer comes from (jsonata, handler, mcp or http). */
  backend: ToolBackend;
  /** Per-call time limit for a handler, MCP or HTTP backend. */
  timeoutMs?: number;
  /** Where the backend is declared, for problems found when it starts. */
  at?: SpecLocation;
  /** An MCP tool whose name, description or parameters come from the server (unset here). */
  fromServer?: { name: boolean; description: boolean; parameters: boolean };
}

/** A stdio MCP server an environment starts: an npm package run by Deno with narrow permissions. */
export interface ServerSpec {
  /** Name the env's tools refer to it by (`backend: {mcp: NAME}`). */
  name: string;
  /** `package@version`, pinned. */
  npm: string;
  /** Arguments; `{{dir}}` is the instance's own working folder. */
  args: string[];
  /** Environment variables (values may use `{{dir}}`); the only ones the server gets. */
  env: Record<string, string>;
  /** Files copied into the folder at every reset (paths relative to the spec). */
  files: { from: string; to: string }[];
  /** State tables read from the server after each of its calls: a tool and JSONata per table. */
  snapshot?: { tool: string; args: Record<string, unknown>; tables: [string, Expr][] };
  /** Import every tool of this server (besides those listed one by one). */
  importAll: boolean;
  /** Extra read/write paths and environment variable names the server may use. */
  allow: { read: string[]; write: string[]; env: string[] };
  /** Per-call time limit in milliseconds. */
  timeoutMs: number;
}

/** Checks on the final answer text; every present one must hold. */
export interface AnswerCheck {
  /** The answer, trimmed and case-folded, must equal this. */
  equals?: string;
  /** Substrings the answer must contain (case-insensitive). */
  contains?: string[];
  /** Substrings the answer must not contain (case-insensitive). */
  excludes?: string[];
  /** A pattern the answer must match. */
  regex?: RegExp;
  /** A number in the answer within `tol` of `value`. */
  number?: { value: number; tol: number };
  /** JSONata over `{answer, state}` that must be true. */
  jsonata?: Expr;
}

/** How a `calls` check compares calls with possible answers (see tasks/calls). */
export type CallsMode = "strict" | "bfcl" | "rotbench";

/**
 * One expected call in BFCL's possible-answer format: `{function: {param: [accepted values]}}`.
 * `""` among a parameter's values means it may be omitted; a dict parameter's value is again a
 * `{key: [accepted values]}` object.
 */
export type PossibleCall = Record<string, Record<string, unknown[]>>;

/** The agent's execution-phase calls must match these possible answers, one call per answer. */
export interface CallsCheck {
  /** Which matcher compares the calls (strict, BFCL's or RoTBench's). */
  mode: CallsMode;
  /** Expected calls, one per call the agent must make (with `anyOf`: its first alternative). */
  answers: PossibleCall[];
  /** Accepted alternatives (`any_of`): the calls must match one of these lists of answers. */
  anyOf?: PossibleCall[][];
  /** An accepted value that matches any value the call gives (RoTBench's `"None"`). */
  wildcard?: string;
  /** Judge only the first execution-phase action (RoTBench's scoring), which may have failed. */
  firstActionOnly?: boolean;
  /** Tool name → the function name the answers use (e.g. `math_factorial` → `math.factorial`). */
  names: Record<string, string>;
  /** Function name (as in the answers) → the JSON Schema of its parameters. */
  functions: Record<string, JsonSchema>;
  /**
   * bfcl mode: JSON pointers into `answers` of the integral numbers the YAML writes as floats
   * (`1.0`), which BFCL's checker types as floats, not ints.
   */
  floats?: string[];
}

/**
 * One call an `actions` check expects among the execution phase's successful calls (canonical
 * names): the same tool, and the same arguments — all of them, or only those `compare` names.
 */
export interface ExpectedAction {
  /** The tool's canonical name. */
  tool: string;
  /** The arguments the call must carry (only the `compare` ones, when given). */
  args: Record<string, unknown>;
  /** The argument names compared; absent: every argument, and no others. */
  compare?: string[];
}

/** What must hold at the end of an episode for the task to succeed; every present part must hold. */
export interface Check {
  /** Checks on the agent's final answer text. */
  answer?: AnswerCheck;
  /** JSONata over {state}; must be true on the final (real) state. */
  state?: Expr;
  /** The execution-phase calls that succeeded, judged against BFCL-style possible answers. */
  calls?: CallsCheck;
  /** Calls that must appear among the execution phase's successful calls (extra calls allowed). */
  actions?: ExpectedAction[];
  /**
   * `replay`: the task's gold calls, run on the task's initial state, give the state the agent's
   * final state must equal, table by table.
   */
  db?: "replay";
  /** Values each of which some agent message to the user must contain (case-insensitive). */
  communicate?: string[];
  /** JSONata over {state} with `state` the user's final `user_state`; must be true. */
  user_state?: Expr;
  /**
   * Natural-language assertions about the conversation, each graded by the suite's judge agent;
   * skipped (not scored) when the suite configures none.
   */
  judge?: JudgeCheck;
}

/** A `judge:` check: assertions the suite's judge grades one by one against the transcript. */
export interface JudgeCheck {
  /** What must be true of the conversation, in plain language, one per entry. */
  assertions: string[];
  /**
   * Graded and logged, but success does not depend on it (tau2's nl_assertions outside a task's
   * reward_basis).
   */
  advisory: boolean;
}

/** An earlier message of the conversation, placed after the system prompt and before the query. */
export interface HistoryMessage {
  /** Who said it. */
  role: "user" | "assistant";
  /** What was said. */
  content: string;
}

/**
 * A scripted user simulator (deterministic, no model): the task's query is its first message;
 * each plain-text reply of the agent gets the next scripted turn, else the `known_info` values
 * whose key words the reply names, else `stop`, which ends the episode.
 */
export interface UserSpec {
  /** What the user wants and how they behave (a model user reads it; the scripted user does not). */
  instructions?: string;
  /** Who the user is and how they talk (a model user reads it; the scripted user does not). */
  persona?: string;
  /** Facts the user holds, told when the agent asks for them by their key words; each told once. */
  known_info: Record<string, string>;
  /** What the user says next, in order, to the agent's plain-text replies. */
  turns: string[];
  /** What the user says when nothing is left to say; it ends the episode. */
  stop: string;
  /** This task's own user-state tables, merged over the environment's `user_state`. */
  state?: State;
  /** User tool calls the scripted user makes, in order, when it first answers the agent. */
  calls?: Call[];
}

/** Whether a task may be trained on (`seen`) or is held out (`unseen`). */
export type Split = "seen" | "unseen";

/** A task, normalized: a user query, how to check the outcome, and a reference solution. */
export interface TaskSpec {
  /** Unique id within its environment. */
  id: string;
  /** Name of the environment the task runs in. */
  env: string;
  /** The user's request, as the agent receives it. */
  query: string;
  /** Declared split: whether training may use it. */
  split: Split;
  /** Free-form labels (e.g. `compute`, `multi`), for grouping in reports. */
  tags: string[];
  /**
   * False when the answer is computed from the results (`grounded: false` in YAML; the tag
   * `compute` says the same): validate does not look for the checked values in the results.
   */
  grounded?: boolean;
  /**
   * The environment's tools this task offers (canonical names), when it offers only some of them
   * (`tools:` in YAML; what a BFCL entry offers). The agent sees only these (and a variant's
   * distractors); a call to another of the environment's tools is an unknown tool.
   */
  tools?: string[];
  /**
   * Tables that replace the environment's tables of the same name for this task, or add to them
   * (`state:` in YAML); absent: the environment's state as it is.
   */
  state?: State;
  /** Earlier messages, placed after the system prompt and before the query. */
  history?: HistoryMessage[];
  /** The simulated user the agent talks with; absent: the query is the whole conversation. */
  user?: UserSpec;
  /** Reference calls that solve the task (what the oracle makes). */
  gold: Call[];
  /** Reference final answer (what scripted agents say when they succeed). */
  answer: string;
  /** What decides success. */
  check: Check;
}

/** A data or spec file that went into a spec, with its content hash. */
export interface SourceFile {
  /** Path relative to the spec's folder. */
  path: string;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** One operator of a variant as declared: its registry name and options (schema-checked). */
export interface OperatorSpec {
  /** Registry name of the operator (spec/schema/variants.json). */
  op: string;
  /** The operator's options, as declared. */
  options: Record<string, unknown>;
  /** Where it was declared, for errors found later (e.g. when the suite around an env is known). */
  at?: { file: string; pointer: string; line: number; col: number };
}

/** A named list of operators, applied in order (the first wraps the environment). */
export interface VariantSpec {
  /** Name runs and reports use for the variant. */
  name: string;
  /** Operators in order; the first wraps the environment. */
  ops: OperatorSpec[];
}

/** An environment, normalized: its state, tools, tasks, variants and backends, ready to build. */
export interface EnvSpec {
  /** Unique name within a suite. */
  name: string;
  /** What the environment models, for people reading reports. */
  description: string;
  /** The env.yaml path as given (relative to the working directory). */
  file: string;
  /** Hash over the spec file and every data file. */
  sha256: string;
  /** Every file that went into the spec, hashed (provenance). */
  files: SourceFile[];
  /** The initial state every episode starts from. */
  state: State;
  /** Rules the agent must follow, rendered into its system prompt (`policy:`); absent: none. */
  policy?: string;
  /** What `$now()` returns in this environment's expressions (ISO time), when declared. */
  now?: string;
  /** The tools the agent is offered, in declaration order. */
  tools: ToolSpec[];
  /** What the simulated user holds (`user_state:`), when the environment declares it. */
  userState?: State;
  /** Tools the simulated user may call on its `user_state` (`user_tools:`; JSONata only). */
  userTools?: ToolSpec[];
  /** The tasks, in file order. */
  tasks: TaskSpec[];
  /** Variants declared in the env file: they apply to this environment only. */
  variants: VariantSpec[];
  /** Handler modules by their path as written (relative to the spec) → source text. */
  handlers: Record<string, string>;
  /** Limits of the handler sandbox. */
  sandbox: { timeoutMs: number; memoryMb: number };
  /** MCP servers the environment's tools call. */
  servers: ServerSpec[];
  /** HTTP tools' base URL and cassette file (absent when the env has no HTTP tools). */
  http?: { baseUrl: string; cassette: string };
  /**
   * Gold calls naming a tool the spec does not list, allowed because a server's tools are
   * imported whole: checked once the servers have listed their tools.
   */
  deferredGold: { task: string; tool: string; args: Record<string, unknown>; at: SpecLocation }[];
}

/** Where something is in a spec file. */
export interface SpecLocation {
  /** Path of the spec file. */
  file: string;
  /** JSON pointer to the value within the file. */
  pointer: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
}

/** Which built-in scripted policy an agent runs. */
export type ScriptedKind = "oracle" | "memorizer" | "explorer" | "random";

/** Which part of the suite an agent runs on (`only:`); absent keys mean all. */
export interface AgentScope {
  /** Variant names to run (absent: all). */
  variants?: string[];
  /** Protocol names to run (absent: all). */
  protocols?: string[];
  /** The first N tasks of each environment, in file order. */
  tasks_per_env?: number;
}

/** A scripted reference agent. */
export interface ScriptedAgentSpec {
  /** Unique agent name in runs and reports. */
  name: string;
  /** Discriminant: a built-in scripted policy. */
  kind: "scripted";
  /** Which scripted policy. */
  scripted: ScriptedKind;
  /** Policy-specific options, passed through. */
  options: Record<string, unknown>;
  /** Which part of the suite it runs on. */
  only?: AgentScope;
}

/** An ONNX model agent: a model folder and how to decode with it. */
export interface OnnxAgentSpec {
  /** Unique agent name in runs and reports. */
  name: string;
  /** Discriminant: an ONNX model decoded in process. */
  kind: "onnx";
  /** Model folder, providers and decoding settings. */
  onnx: {
    /** The model folder, resolved against the suite's folder. */
    path: string;
    device: ("cuda" | "webgpu" | "cpu")[];
    /** onnxruntime intra-op threads; `auto`: 1 on the CPU, onnxruntime's default on a GPU. */
    threads: number | "auto";
    max_new_tokens: number;
    sampling: { temperature: number; top_k: number; top_p: number };
    /** Most sequences per batch; `auto`: 1 on the CPU, 16 on a GPU provider. */
    batch: number | "auto";
    stop: string[];
    /** Grammar-constrained tool calls: names, keys and value types from the offered tools. */
    grammar: boolean;
  };
  /** SHA-256 of the model files: part of the run id, so a changed model is a different run. */
  model_hash: string;
  /** Agent options passed through to the policy. */
  options: Record<string, unknown>;
  /** Which part of the suite it runs on. */
  only?: AgentScope;
}

/** How to reach a model behind an HTTP API, and how to sample it (the `openai:` / `anthropic:` entry). */
export interface EndpointOptions {
  /** Up to `/v1`, without a trailing slash. */
  base_url: string;
  /** Model name sent with each request. */
  model: string;
  /** Environment variable holding the API key (never the key itself in a spec). */
  api_key_env?: string;
  /** Sampling temperature sent with each request. */
  temperature: number;
  /** Sent only when set. */
  top_p?: number;
  /** Most tokens per reply. */
  max_tokens: number;
  /** Per-request time limit in seconds. */
  timeout_s: number;
  /** Retries of a failed or rate-limited request, with backoff. */
  retries: number;
  /** Episodes of this agent in flight at once (default 16), whatever `--concurrency` says. */
  concurrency: number;
  /** Replay replies from the response cache (default: on at temperature 0). */
  cache: boolean;
  /** USD per million prompt (`input`) and completion (`output`) tokens: cost per episode. */
  price?: { input: number; output: number };
}

/** An agent behind an OpenAI-compatible chat completions endpoint. */
export interface OpenAIAgentSpec {
  /** Unique agent name in runs and reports. */
  name: string;
  /** Discriminant: an OpenAI-compatible endpoint. */
  kind: "openai";
  /** Where and how to call the endpoint. */
  openai: EndpointOptions;
  /** Agent options passed through to the policy. */
  options: Record<string, unknown>;
  /** Which part of the suite it runs on. */
  only?: AgentScope;
}

/** An agent behind the Anthropic Messages API (tool_use / tool_result blocks). */
export interface AnthropicAgentSpec {
  /** Unique agent name in runs and reports. */
  name: string;
  /** Discriminant: the Anthropic Messages API. */
  kind: "anthropic";
  /** Where and how to call the API. */
  anthropic: EndpointOptions;
  /** Agent options passed through to the policy. */
  options: Record<string, unknown>;
  /** Which part of the suite it runs on. */
  only?: AgentScope;
}

/** An agent that calls a model over HTTP. */
export type EndpointAgentSpec = OpenAIAgentSpec | AnthropicAgentSpec;

/** One task's recorded episode: the calls made (in order) and the final answer. */
export interface RecordedEpisode {
  /** The calls, each a tool name and its arguments. */
  calls: { name: string; args: Record<string, unknown>; text?: string }[];
  /** The final answer; null when the recording gave none. */
  answer: string | null;
  /** The line of the file it came from (1-based). */
  line: number;
}

/** Calls made elsewhere (an external model's outputs), replayed per task and judged. */
export interface RecordedAgentSpec {
  /** Unique agent name in runs and reports. */
  name: string;
  /** Discriminant: a file of recorded calls. */
  kind: "recorded";
  /** The JSON Lines file (absolute path) and the SHA-256 of its bytes. */
  recorded: { path: string; sha256: string };
  /** Per task, by `env/task` and by bare task id (when unique in the file), its episode. */
  episodes: Record<string, RecordedEpisode>;
  /** Agent options passed through to the policy. */
  options: Record<string, unknown>;
  /** Which part of the suite it runs on. */
  only?: AgentScope;
}

/** Any agent a suite may declare, told apart by `kind`. */
export type AgentSpec =
  | ScriptedAgentSpec
  | OnnxAgentSpec
  | EndpointAgentSpec
  | RecordedAgentSpec;

/** `direct`: the agent executes at once; `trial`: it may first try tools on a sandboxed copy. */
export type ProtocolKind = "direct" | "trial";

/** How an episode is run: the phases an agent gets and their budgets. */
export interface ProtocolSpec {
  /** Unique protocol name in runs and reports. */
  name: string;
  /** Which protocol this is. */
  kind: ProtocolKind;
  /** Most calls in the trial phase (trial only). */
  trialBudget: number;
  /** Most assistant turns per phase. */
  maxTurns: number;
}

/** What a suite holds out of training: whole environments and tool families. */
export interface HeldOut {
  /** Environment names held out whole. */
  envs: string[];
  /** `env/tool` patterns; `*` matches any run of characters. */
  tools: string[];
}

/**
 * Where an episode's task stands relative to training: `seen`, or unseen because the task is
 * (`unseen_task`), its environment is held out (`unseen_env`), or it needs a held-out tool
 * (`unseen_tool`). The first that applies wins, in the order env, tool, task.
 */
export type EpisodeSplit = (typeof EPISODE_SPLITS)[number];

/** A suite, normalized: environments, variants, agents and protocols, and how often to run them. */
export interface SuiteSpec {
  /** Name used in run ids and reports. */
  name: string;
  /** What the suite measures, for people reading reports. */
  description: string;
  /** The suite.yaml path as given. */
  file: string;
  /** Hash over the suite file and every environment's spec (part of the run id). */
  sha256: string;
  /** The environments, in suite order. */
  envs: EnvSpec[];
  /** Suite-wide variants (besides `clean`, which always runs). */
  variants: VariantSpec[];
  /** What training must not see. */
  heldout: HeldOut;
  /** The agents to run. */
  agents: AgentSpec[];
  /** The protocols each agent runs under. */
  protocols: ProtocolSpec[];
  /** Episodes per (agent, protocol, variant, task) and seed. */
  samples: number;
  /** Seeds each cell runs with. */
  seeds: number[];
  /** When set, each env runs at most this many tasks (a deterministic sample, see sampleTasks). */
  tasksPerEnv?: number;
  /**
   * The agent that grades `judge:` checks (`judge:` in the suite, named `judge`); absent: those
   * checks are skipped and reported as not scored.
   */
  judge?: AgentSpec;
  /** Who plays the user of conversational tasks (`user:`); absent: the scripted user. */
  user?: SuiteUser;
}

/** A suite's `user:`: the model agent that plays the simulated user, and its turn limit. */
export interface SuiteUser {
  /** The agent (its `name` is the `agents:` entry it names, or `user` when written inline). */
  agent: AgentSpec;
  /** The `agents:` entry it names, when it names one rather than being written inline. */
  ref?: string;
  /** Most user replies per episode; absent: only the protocol's `max_turns` limits them. */
  maxTurns?: number;
}
