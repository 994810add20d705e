/**
 * The registry of variant operators: adding one is a file here plus a line below (and its options
 * in spec/schema/variants.json).
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
