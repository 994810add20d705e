/**
 * Reports: metrics over episodes (pure), the versioned report JSON built from episode logs, and
 * renderers (Markdown, HTML, JUnit).
 * @module
 */
export {
  comparisons,
  gaps,
  type GroupKey,
  groupSummary,
  robustness,
  type RobustnessRow,
  summarize,
  type SummaryRow,
  wilson,
} from "./metrics.ts";
export { SharedDraws } from "./stats.ts";
export {
  assertValidReport,
  buildReport,
  collect,
  type EpisodeSummary,
  machineProvenance,
  type Provenance,
  type Report,
  REPORT_VERSION,
  reportFigures,
  suiteProvenance,
} from "./report.ts";
export type {
  BfclRow,
  ComparisonRow,
  FirstActionRates,
  GapRow,
  Transcript,
  TranscriptLine,
  VariantSummary,
} from "./types.ts";
export { BFCL_CATEGORIES, bfclCategoryOf, bfclTable } from "./bfcl_table.ts";
export { Collector } from "./collect.ts";
export {
  logEpisodes,
  type LoggedEpisode,
  reportFromCollected,
  reportFromLogs,
} from "./from_log.ts";
export { failureKind } from "./failure_kind.ts";
export {
  FAILURE_COLUMNS,
  FailureCollector,
  type FailureColumn,
  type FailureData,
  type FailureFields,
  failuresFromReport,
  LINE_KINDS,
} from "./failures.ts";
export { episodeJson, episodeText, type TextStyle } from "./episode_text.ts";
export {
  EPISODE_FIELDS,
  type EpisodeField,
  type EpisodeFilter,
  type EpisodeSelection,
  selectEpisodes,
} from "./select_episodes.ts";
export { overallMarkdown, renderMarkdown } from "./markdown.ts";
export { renderHtml, renderHtmlParts } from "./html.ts";
export { renderJunit } from "./junit.ts";
export { type HeadlineRow, headlineRows } from "./headline.ts";
export { formatChange, formatPercent } from "./format.ts";
export { duration } from "./progress.ts";
export { compareMarkdown, type CompareOptions, whyNothingPairs } from "./compare.ts";
export { type ProgressBar, progressBar, type ProgressOptions } from "./progress.ts";
export {
  type BrokenCell,
  brokenCells,
  brokenMarkdown,
  failedOnlyByJudge,
  oracleAgents,
} from "./broken.ts";
