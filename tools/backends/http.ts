/** The HTTP backend: requests to the env's base URL, replayed from or recorded into a cassette. @module */
import { httpKind } from "../../spec/backends/http.ts";
import { SpecError } from "../../spec/errors.ts";
import { Cassette } from "../cassette.ts";
import { httpRunner } from "../http.ts";
import { type BackendEntry, toolsOf } from "./backend_entry.ts";

/** HTTP tools: the cassette is read on start and, when recording, written back on close. */
export const httpBackend: BackendEntry<"http"> = {
  ...httpKind,
  async open(spec, options) {
    if (!spec.http || toolsOf(spec, "http").length === 0) return undefined;
    const cassette = new Cassette(spec.http.cassette);
    try {
      await cassette.load();
    } catch (err) {
      throw new SpecError([{
        file: spec.http.cassette,
        line: Number(/:(\d+):/.exec((err as Error).message)?.[1] ?? 1),
        col: 1,
        pointer: "",
        message: `cannot read the cassette: ${(err as Error).message}`,
        hint:
          "each line must be {request, response} as tooltrial records them; re-record with --record",
      }]);
    }
    const mode = options.http ?? "replay";
    return {
      runner: httpRunner({ baseUrl: spec.http.baseUrl, cassette, mode }),
      ...(mode === "record"
        ? {
          async close() {
            await cassette.save();
            const c = cassette.conflicts;
            if (c.length > 0) {
              console.error(
                `warning: ${c.length} request(s) got different answers while recording ${cassette.path} (a stateful API); a replay gives the last answer: ${
                  c.slice(0, 3).join("; ")
                }`,
              );
            }
          },
        }
        : {}),
    };
  },
  provenance(spec) {
    const tools = toolsOf(spec, "http").length;
    if (tools === 0 || !spec.http) return undefined;
    return { tools, base_url: spec.http.baseUrl };
  },
};
