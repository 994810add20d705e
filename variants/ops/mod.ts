/**
 * The registry of variant operators: adding one is a file here (with the JSON Schema of its
 * options) plus a line below; `deno task schemas` then writes spec/schema/variants.json from it.
 * @module
 */
import type { Operator } from "../types.ts";
import { deprecate } from "./deprecate.ts";
import { distractorTools } from "./distractor_tools.ts";
import { dropDescriptions } from "./drop_descriptions.ts";
import { extraRequiredParam } from "./extra_required_param.ts";
import { faults } from "./faults.ts";
import { outputFormat } from "./output_format.ts";
import { paraphraseDescriptions } from "./paraphrase_descriptions.ts";
import { renameParams } from "./rename_params.ts";
import { renameTools } from "./rename_tools.ts";
import { reorderParams } from "./reorder_params.ts";
import { versionDrift } from "./version_drift.ts";

/** Every operator by the name YAML uses. */
export const operators: Readonly<Record<string, Operator>> = Object.fromEntries(
  [
    renameTools,
    renameParams,
    reorderParams,
    dropDescriptions,
    paraphraseDescriptions,
    outputFormat,
    deprecate,
    versionDrift,
    extraRequiredParam,
    distractorTools,
    faults,
  ].map((o) => [o.name, o]),
);
