export { Replay, type ReplayStateName } from './replay.entity';
export { ReplayAuditEvent } from './replay-audit-event.entity';
export { ReplayWatermark } from './replay-watermark.entity';
