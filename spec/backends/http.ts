/**
 * The HTTP backend: `http: {method, path, query, headers, body}`, a request to the env's
 * `http.base_url`, answered live or from a cassette.
 * @module
 */
import type { Template } from "../expr.ts";
import type { BackendKind } from "./backend_kind.ts";

/** The JSON Schema of its key in a `tools:` entry (its branch of spec/schema/env.json). */
export const httpSchema = {
  type: "object",
  required: ["method", "path"],
  additionalProperties: false,
  description:
    "An HTTP request to the env's http.base_url; {{\u2026}} parts are JSONata templates with $args.",
  properties: {
    method: { enum: ["GET", "POST", "PUT", "PATCH", "DELETE"] },
    path: {
      type: "string",
      pattern: "^/",
      description: "Path after the base URL, e.g. /users/{{$args.id}} (values are URL-encoded).",
    },
    query: {
      type: "object",
      additionalProperties: { type: "string" },
      description: "Query parameter \u2192 template; left out when it renders empty.",
    },
    headers: {
      type: "object",
      additionalProperties: { type: "string" },
      description: "Header \u2192 template.",
    },
    body: { $ref: "#/$defs/expr", description: "JSONata giving the JSON request body." },
  },
} as const;

/** The HTTP backend's spec side. */
export const httpKind: BackendKind<"http"> = {
  kind: "http",
  key: "http",
  schema: httpSchema,
  example: {
    env: {
      env: "ex-http",
      http: { base_url: "http://127.0.0.1:9/api", cassette: "cassette.jsonl" },
      tools: [{
        name: "get_person",
        description: "Look a person up by id.",
        parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
        http: { method: "GET", path: "/people/{{$args.id}}" },
        result: "$result.name",
      }],
      tasks: [{
        id: "t1",
        query: "Who is p1?",
        gold: [{ tool: "get_person", args: { id: "p1" } }],
        check: { answer: { contains: "Ada" } },
      }],
    },
    files: {
      "cassette.jsonl": JSON.stringify({
        request: { method: "GET", path: "/people/p1", body: null },
        response: {
          status: 200,
          contentType: "application/json",
          body: JSON.stringify({ id: "p1", name: "Ada Lovelace" }),
        },
      }) + "\n",
    },
  },
  parse(t, { p, raw, ctx }) {
    const { at, issues } = ctx;
    if (!raw.http) {
      issues.push(
        at(
          `${p}/http`,
          "an HTTP tool needs the environment's http: base_url",
          "add http: { base_url: https://… } at the top level",
        ),
      );
    }
    const h = t.http!;
    const path = ctx.template(h.path, `${p}/http/path`);
    const parts = (o: Record<string, string> | undefined, key: string) =>
      Object.entries(o ?? {}).flatMap(([k, v]): [string, Template][] => {
        const tp = ctx.template(v, `${p}/http/${key}/${k}`);
        return tp ? [[k, tp]] : [];
      });
    const body = h.body === undefined ? undefined : ctx.expr(h.body, `${p}/http/body`);
    if (!path) return Promise.resolve(undefined);
    return Promise.resolve({
      kind: "http",
      request: {
        method: h.method,
        path,
        query: parts(h.query, "query"),
        headers: parts(h.headers, "headers"),
        ...(body ? { body } : {}),
      },
    });
  },
};
