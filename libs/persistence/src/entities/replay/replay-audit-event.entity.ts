import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One entry of a replay's audit trail: who did what, when, with which details (append-only). */
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
