import type { DataSource, EntityManager } from 'typeorm';

/** The message a consumer is about to handle, as the inbox records it. */
export interface InboxClaim {
  /** Service name: each consumer handles an envelope once. */
  consumer: string;
  /** Envelope id. */
  messageId: string;
  messageType: string;
}

export type InboxOutcome<T> = { duplicate: true } | { duplicate: false; result: T };

/**
 * The `inbox_message` table: one row per (consumer, envelope id) handled. A handler runs inside the transaction
 * that inserts its row, so its writes and the row commit together or roll back together (and the message comes
 * back). A second delivery of the same envelope waits on the first's row lock, then finds it and is a duplicate.
 */
export class InboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Claims `claim` and runs `handle` in the same transaction; `{ duplicate: true }` when it was handled before. */
  async handleOnce<T>(claim: InboxClaim, handle: (entityManager: EntityManager) => Promise<T>): Promise<InboxOutcome<T>> {
    return this.dataSource.transaction(async (entityManager) => {
      const claimed: unknown[] = await entityManager.query(
        `INSERT INTO inbox_message (consumer, message_id, message_type) VALUES ($1, $2, $3)
         ON CONFLICT ON CONSTRAINT pk_inbox_message DO NOTHING RETURNING message_id`,
        [claim.consumer, claim.messageId, claim.messageType],
      );
      if (claimed.length === 0) return { duplicate: true } as const;
      return { duplicate: false, result: await handle(entityManager) } as const;
    });
  }
}
