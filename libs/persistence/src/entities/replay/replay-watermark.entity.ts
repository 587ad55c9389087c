import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last position of one source shard that a replay includes: every live record after it is newer. */
@Entity({ name: 'replay_watermark' })
export class ReplayWatermark {
  @PrimaryColumn({ name: 'replay_id', type: 'uuid', primaryKeyConstraintName: 'pk_replay_watermark' })
  replayId!: string;

  @PrimaryColumn({ name: 'shard_id', type: 'text', primaryKeyConstraintName: 'pk_replay_watermark' })
  shardId!: string;

  @Column({ name: 'sequence_number', type: 'text' })
  sequenceNumber!: string;
}
