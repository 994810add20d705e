/** The JSONata backend: pure, nothing to start. @module */
import { jsonataKind } from "../../spec/backends/jsonata.ts";
import { jsonataRunner } from "../declarative.ts";
import { type BackendEntry, toolsOf } from "./backend_entry.ts";

/** Declarative tools: `errors`, `effect` and `result` as JSONata over the state. */
export const jsonataBackend: BackendEntry<"jsonata"> = {
  ...jsonataKind,
  open: () => Promise.resolve({ runner: jsonataRunner }),
  provenance(spec) {
    const tools = toolsOf(spec, "jsonata").length;
    return tools > 0 ? { tools } : undefined;
  },
};
