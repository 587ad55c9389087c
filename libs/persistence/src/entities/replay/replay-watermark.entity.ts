import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Replay } from './replay.entity';

/** The last position of one source shard that a replay includes: every live record after it is newer. */
@ForeignKey(() => Replay, ['replayId'], ['id'], { name: 'fk_replay_watermark_replay', onDelete: 'CASCADE' })
@Check('ck_replay_watermark_sequence', `sequence_number ~ '^[0-9]+$'`)
@Entity({ name: 'replay_watermark' })
export class ReplayWatermark {
  @PrimaryColumn({ name: 'replay_id', type: 'uuid', primaryKeyConstraintName: 'pk_replay_watermark' })
  replayId!: string;

  @PrimaryColumn({ name: 'shard_id', type: 'text', primaryKeyConstraintName: 'pk_replay_watermark' })
  shardId!: string;

  @Column({ name: 'sequence_number', type: 'text' })
  sequenceNumber!: string;
}
