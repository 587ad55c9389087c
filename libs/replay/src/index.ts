export { boundsSql, PLAN_COLUMNS, planSelectSql, ReplayPlanner, type PlannedReplay, type ReplayPlannerOptions } from './replay-planner';
export { localPlanPath, planKeyOf, ReplayRun, type ReplayRunnerDeps, type ReplayRunnerSettings, type RunOutcome } from './replay-runner';
export { DEFAULT_TOMBSTONE, parseReplayRequest, replayRequestSchema, type ReplayRequest, type ReplaySpec } from './replay-spec';
export { ReplayService, toView, type ReplayEventPublisher, type ReplayServiceDeps } from './replay.service';
export { ReplayRepository, type AuditEntry, type ProgressUpdate, type ReplayLease, type StateRequest } from './replay.repository';
export { estimateSeconds, ReplayWorker, type ReplayWorkerDeps, type ReplayWorkerSettings } from './replay-worker';
export { TERMINAL_STATES, type PlanSampleRecord, type PlanSummary, type ReplayProgress, type ReplayState, type ReplayView, type ReplayWatermarksDocument } from './replay.types';
