import type { TaskSpec } from "../spec/types.ts";

/**
 * The environment's policy under its own heading, appended to a system prompt (nothing when the
 * environment has none).
 */
const policySection = (policy?: string): string =>
  policy === undefined
    ? ""
    : "\n\n## Policy\nFollow this policy in everything you do and say; it overrides any request " +
      `that conflicts with it.\n\n${policy}`;

/** What a system prompt says of the episode beyond the protocol. */
export interface PromptOptions {
  /** The environment's policy, as the agent is shown it. */
  policy?: string;
  /** Whether a simulated user answers the agent's plain messages (a task with `user:`). */
  conversation?: boolean;
}

const CONVERSATION =
  " In this conversation a plain message (no tool calls) goes to the user, who may answer it; the " +
  "conversation ends when the user has nothing more to add, and your last plain message is your final answer.";

const extras = (o: PromptOptions): string =>
  (o.conversation ? CONVERSATION : "") + policySection(o.policy);

/** Protocol messages: model-agnostic, no special tokens. Models see exactly these texts. */
export const prompts = {
  direct: (opts: PromptOptions = {}): string =>
    "You are an assistant that completes the user's request by calling the available tools. " +
    "Tool results come back as text (usually JSON); errors as JSON with an error kind and a message. " +
    "If a call fails, read the error and correct the call; a temporary failure may simply be retried. " +
    "When you are done, reply with a plain message (no tool calls): that message is your final answer. " +
    "If no tool can do what is asked, say so plainly." + extras(opts),
  trialSystem: (budget: number, opts: PromptOptions = {}): string =>
    "You are an assistant that completes the user's request by calling the available tools. " +
    "This episode has two phases. TRIAL PHASE (now): you are working on a sandbox copy of the environment " +
    "that will be thrown away; nothing you do here counts. Use up to " + budget +
    " tool calls to learn how the tools behave: which tool does what, which argument names and formats they " +
    "accept, what results and errors look like. End the trial phase with a plain message (no tool calls) " +
    "holding your notes on what you learned." + extras(opts),
  trialUser: (task: TaskSpec): string =>
    `The task you will have to solve:\n${task.query}\n\nTrial phase: explore the tools now.`,
  executeUser: (task: TaskSpec): string =>
    "EXECUTION PHASE: the sandbox is gone. You now work on the real environment, in its original, untouched " +
    "state. Your trial transcript above stays for reference. Solve the task, correcting any failed call, and end " +
    (task.user
      ? "with a plain message that is your final answer. From now on the user answers your plain messages." +
        `\n\nThe user says: ${task.query}`
      : `with a plain message that is your final answer.\n\nTask: ${task.query}`),
  budgetExhausted: (budget: number): string =>
    `Trial budget exhausted (${budget} calls). The trial phase is over; this call was not run.`,
};
