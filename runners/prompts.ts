import type { TaskSpec } from "../spec/types.ts";

/** Protocol messages: model-agnostic, no special tokens. Models see exactly these texts. */
export const prompts = {
  direct: (): string =>
    "You are an assistant that completes the user's request by calling the available tools. " +
    "Tool results come back as text (usually JSON); errors as JSON with an error kind and a message. " +
    "If a call fails, read the error and correct the call; a temporary failure may simply be retried. " +
    "When you are done, reply with a plain message (no tool calls): that message is your final answer. " +
    "If no tool can do what is asked, say so plainly.",
  trialSystem: (budget: number): string =>
    "You are an assistant that completes the user's request by calling the available tools. " +
    "This episode has two phases. TRIAL PHASE (now): you are working on a sandbox copy of the environment " +
    "that will be thrown away; nothing you do here counts. Use up to " + budget +
    " tool calls to learn how the tools behave: which tool does what, which argument names and formats they " +
    "accept, what results and errors look like. End the trial phase with a plain message (no tool calls) " +
    "holding your notes on what you learned.",
  trialUser: (task: TaskSpec): string =>
    `The task you will have to solve:\n${task.query}\n\nTrial phase: explore the tools now.`,
  executeUser: (task: TaskSpec): string =>
    "EXECUTION PHASE: the sandbox is gone. You now work on the real environment, in its original, untouched " +
    "state. Your trial transcript above stays for reference. Solve the task, correcting any failed call, and end " +
    `with a plain message that is your final answer.\n\nTask: ${task.query}`,
  budgetExhausted: (budget: number): string =>
    `Trial budget exhausted (${budget} calls). The trial phase is over; this call was not run.`,
};
