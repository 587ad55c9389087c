import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per (consumer, message id) a handler has completed. SQS delivers at least once; the SQS transport
 * claims this row in the same transaction as the handler runs, so a redelivered message is handled once.
 */
@Index('idx_inbox_message_handled_at', ['handledAt'])
@Entity({ name: 'inbox_message' })
export class InboxMessage {
  @PrimaryColumn({ name: 'consumer', type: 'text', primaryKeyConstraintName: 'pk_inbox_message' })
  consumer!: string;

  @PrimaryColumn({ name: 'message_id', type: 'uuid', primaryKeyConstraintName: 'pk_inbox_message' })
  messageId!: string;

  @Column({ name: 'message_type', type: 'text' })
  messageType!: string;

  @Column({ name: 'handled_at', type: 'timestamptz', default: () => 'now()' })
  handledAt!: Date;
}
