export { boundsSql, planSelectSql, ReplayPlanner } from './replay-planner';
export { parseReplayRequest, type ReplaySpec } from './replay-spec';
export { ReplayService } from './replay.service';
export { ReplayRepository } from './replay.repository';
export { ReplayWorker } from './replay-worker';
export type { ReplayState, ReplayView, ReplayWatermarksDocument } from './replay.types';
export { replayMetrics } from './replay.metrics';
