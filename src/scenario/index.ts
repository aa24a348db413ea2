// The scenario model's public API: types, defineScenario, validation (the schema and the checks of the one pass),
// profiles, stage math, templates, JSON paths, data feeders and files, loading and redaction.

export type * from './types.ts';
export { defineScenario } from './define.ts';
export { parseDurationMs, formatDuration, isDuration, DURATION_EXAMPLES } from './duration.ts';
export { parseThink, drawThinkMs, type ThinkRange } from './think.ts';
export { validateScenario, scenarioIssues, scenarioSchema, loadSchema, stepSchema, EXECUTORS, HTTP_METHODS, PICKS } from './schema.ts';
export { templateIssues, thresholdIssues, phaseTagIssues } from './checks.ts';
export { gatedPhaseIssues, expectedInPhase, phaseLoad, MIN_GATED_PHASE_INTERVALS, MIN_GATED_PHASE_REQUESTS } from './phase-data.ts';
export { dataDirsOf, findDataFile, checkDataFiles } from './data-files.ts';
export { formatPath } from './issues.ts';
export { applyProfile, profileScale, scaleCount, DEFAULT_PROFILES, PROFILES, MIN_SCALED_DURATION_MS } from './profile.ts';
export {
  plannedDurationMs,
  vusAt,
  rateAt,
  phaseAt,
  phases,
  peakVUs,
  peakRatePerS,
  arrivalTimesMs,
  iterateArrivalsMs,
  cumulativeIterations,
  isOpenModel,
  isIterationsModel,
  totalIterations,
  DEFAULT_MAX_DURATION,
  timeUnitMs,
  spans,
  DEFAULT_TIME_UNIT,
  type StageSpan,
} from './stages.ts';
export {
  compileTemplate,
  compileBodyTemplate,
  findTemplateVars,
  templateVarNames,
  hasTemplate,
  BUILTIN_TEMPLATE_VARS,
  type TemplateVars,
  type TemplateFn,
  type TemplateOptions,
  type TemplateVarUse,
} from './template.ts';
export { compileJsonPath, parseJsonPath, type JsonPathFn } from './json-path.ts';
export { loadFeeders, createFeeders, type Feeders, type FeederOptions, type LoadedFeeder } from './feeders.ts';
export {
  loadScenario,
  resolveDefinition,
  resolveScenarioPath,
  readScenarioFile,
  knownScenarios,
  type ResolvedScenario,
  type LoadScenarioOptions,
  type ScenarioCheck,
} from './load.ts';
export { redactScenario } from './redact.ts';
