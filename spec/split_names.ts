/**
 * The split names: what a task may declare (`split:` in an env file) and what an episode is
 * (tasks/splits.ts decides which). The JSON Schemas and the types take their lists from here.
 * @module
 */

/** What a task's `split:` may say. */
export const TASK_SPLITS = ["seen", "unseen"] as const;

/**
 * What an episode's split may be: seen, or unseen by task, tool family or environment (in the
 * order reports and training list them).
 */
export const EPISODE_SPLITS = ["seen", "unseen_task", "unseen_tool", "unseen_env"] as const;
