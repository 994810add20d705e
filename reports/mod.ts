/**
 * Reports: metrics over episodes (pure), the versioned report JSON, and renderers.
 * @module
 */
export {
  type GroupKey,
  groupSummary,
  robustness,
  type RobustnessRow,
  summarize,
  type SummaryRow,
  wilson,
} from "./metrics.ts";
export {
  assertValidReport,
  buildReport,
  type EpisodeSummary,
  type Provenance,
  type Report,
  REPORT_VERSION,
  suiteProvenance,
} from "./report.ts";
export { overallMarkdown, renderMarkdown } from "./markdown.ts";
export { progressBar } from "./progress.ts";
