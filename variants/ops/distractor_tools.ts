import type { Env, ToolDef } from "../../tools/types.ts";
import type { Change, Operator } from "../types.ts";

/** Options of `distractor_tools`. */
export interface DistractorOptions {
  /** How many tools to add (default 3). */
  count?: number;
  /** Environments to borrow from (default: every other environment in the suite). */
  from?: string[];
}

/**
 * Add plausible tools borrowed from other environments, at random places in the list. They work —
 * against their own environment's data — but nothing they do reaches this environment.
 */
export const distractorTools: Operator = {
  name: "distractor_tools",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      count: {
        type: "integer",
        minimum: 1,
        maximum: 50,
        description: "How many tools to add (default 3).",
      },
      from: {
        type: "array",
        minItems: 1,
        items: { type: "string" },
        description: "Environments of the suite to borrow from (default: all others).",
      },
    },
    description: "Add tools borrowed from other environments. Options: count, from.",
  },
  doc: {
    options: "`count` (3), `from` (other envs of the suite)",
    sees:
      "working tools borrowed from other environments at random places in the list (`search_people`, `list_events`…); they run on their own data and never touch this environment",
  },
  summary: "add working tools borrowed from other environments",
  examples: [{ count: 4 }],
  apply(inner, options, ctx) {
    const o = options as DistractorOptions;
    const pool: [Env, ToolDef][] = ctx.pool
      // An environment with external state answers only inside an episode's lease: not here.
      .filter((e) => (!o.from || o.from.includes(e.name)) && !e.open)
      .flatMap((e) => e.tools.map((t): [Env, ToolDef] => [e, t]))
      .filter(([, t]) => !ctx.taken.has(t.name));
    const picked = new Map<string, Env>();
    const tools: ToolDef[] = [...inner];
    const changes: Change[] = [];
    for (let n = Math.min(o.count ?? 3, pool.length); n > 0; n--) {
      const [env, tool] = pool.splice(ctx.rng.int(pool.length), 1)[0];
      if (picked.has(tool.name)) continue;
      picked.set(tool.name, env);
      tools.splice(ctx.rng.int(tools.length + 1), 0, tool);
      changes.push({ tool: tool.name, what: "distractor", from: `${env.name}/${tool.name}` });
    }
    return {
      tools,
      hidden: [],
      changes,
      async step(state, call, next) {
        const home = picked.get(call.name);
        if (!home) return next(state, call);
        const r = await home.step(home.initialState, {
          id: call.id,
          name: call.name,
          arguments: call.args,
        });
        return { state, observation: r.observation, canonical: null };
      },
      forward: (c) => c,
      backward: (c) => (picked.has(c.tool) ? null : c),
    };
  },
};
