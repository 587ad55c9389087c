import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Replay } from './replay.entity';

/** One entry of a replay's audit trail: who did what, when, with which details (append-only). */
@ForeignKey(() => Replay, ['replayId'], ['id'], { name: 'fk_replay_audit_replay', onDelete: 'CASCADE' })
@Index('idx_replay_audit_replay', ['replayId', 'id'])
@Entity({ name: 'replay_audit' })
export class ReplayAuditEvent {
  @PrimaryGeneratedColumn({ name: 'id', type: 'bigint', primaryKeyConstraintName: 'pk_replay_audit' })
  id!: string;

  @Column({ name: 'replay_id', type: 'uuid' })
  replayId!: string;

  @Column({ name: 'at', type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'actor', type: 'text' })
  actor!: string;

  @Column({ name: 'action', type: 'text' })
  action!: string;

  @Column({ name: 'detail', type: 'jsonb', default: () => "'{}'" })
  detail!: Record<string, unknown>;
}
