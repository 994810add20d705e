import type { Tau2Domain } from "./tau2_domains.ts";

/**
 * tau2-bench's `mock` domain (src/tau2/domains/mock): users and their tasks. The tools below are
 * tooltrial's own JSONata rewrite of tools.py, with its names, parameters, docstrings, results and
 * error messages. One difference: tau2 numbers a new task `task_{count + 1}` and, where that id is
 * already taken, overwrites that task; here the new task is always appended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MOCK_DOMAIN } from "./tau2_mock.ts";
 * assert.ok(MOCK_DOMAIN.tools.map((t) => t.name).includes("update_task_status"));
 * ```
 */
export const MOCK_DOMAIN: Tau2Domain = {
  name: "mock",
  description: "tau2-bench's mock domain: users and their tasks, a four-rule policy, and a " +
    "hand-over to a human agent for what the tools cannot do.",
  tables: { tasks: { key: "task_id" }, users: { key: "user_id" } },
  reads: ["get_users"],
  tools: [
    {
      name: "create_task",
      description: "Create a new task for a user.",
      parameters: {
        type: "object",
        properties: {
          user_id: { type: "string", description: "The ID of the user creating the task" },
          title: { type: "string", description: "The title of the task" },
          description: { type: "string", description: "Optional description of the task" },
        },
        required: ["user_id", "title"],
      },
      errors: [{
        when: "$not($args.user_id in state.users.user_id)",
        message: "User {{$args.user_id}} not found",
      }],
      effect: {
        tasks: "$append(state.tasks, {'task_id': 'task_' & $string($count(state.tasks) + 1), " +
          "'title': $args.title, 'description': $exists($args.description) ? $args.description " +
          ": null, 'status': 'pending'})",
        users: "($id := 'task_' & $string($count(state.tasks) + 1); [state.users.(user_id = " +
          "$args.user_id ? $merge([$, {'tasks': $append(tasks, $id)}]) : $)])",
      },
      result: "state.tasks[-1]",
    },
    {
      name: "get_users",
      description: "Get all users in the database.",
      parameters: { type: "object", properties: {} },
      result: "[state.users]",
    },
    {
      name: "update_task_status",
      description: "Update the status of a task.",
      parameters: {
        type: "object",
        properties: {
          task_id: { type: "string", description: "The ID of the task to update" },
          status: {
            type: "string",
            enum: ["pending", "completed"],
            description: "The new status of the task",
          },
        },
        required: ["task_id", "status"],
      },
      errors: [{
        when: "$not($args.task_id in state.tasks.task_id)",
        message: "Task {{$args.task_id}} not found",
      }],
      effect: {
        tasks:
          "[state.tasks.(task_id = $args.task_id ? $merge([$, {'status': $args.status}]) : $)]",
      },
      result: "state.tasks[task_id = $args.task_id]",
    },
    {
      name: "transfer_to_human_agents",
      description: "Transfer the user to a human agent, with a summary of the user's issue.\n\n" +
        "Only transfer if\n -  the user explicitly asks for a human agent\n -  given the policy " +
        "and the available tools, you cannot solve the user's issue.",
      parameters: {
        type: "object",
        properties: { summary: { type: "string", description: "A summary of the user's issue." } },
        required: ["summary"],
      },
      result: "'Transfer successful'",
    },
  ],
  assertions: {
    // tau2 raises where the task or user is missing; here the assertion is simply false.
    assert_task_status: {
      params: ["task_id", "expected_status"],
      expr: (a) => `state.tasks[task_id = ${lit(a.task_id)}].status = ${lit(a.expected_status)}`,
      satisfy: (a) => ({
        tool: "update_task_status",
        args: { task_id: a.task_id, status: a.expected_status },
      }),
    },
    assert_number_of_tasks: {
      params: ["user_id", "expected_number"],
      expr: (a) =>
        `$count(state.users[user_id = ${lit(a.user_id)}].tasks) = ${lit(a.expected_number)}`,
    },
  },
};

/** A JSON value as a JSONata literal (JSON strings, numbers and booleans are JSONata too). */
const lit = (v: unknown) => JSON.stringify(v);
