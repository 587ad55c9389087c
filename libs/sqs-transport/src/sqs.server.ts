import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Logger } from '@nestjs/common';
import { isNetworkFailure, messageTypesForQueue, type QueueName } from '@flux-capacitor/contracts';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isDatabaseUnavailable } from '@flux-capacitor/persistence';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import { parseEnvelope, type PoisonReason } from './envelope.parser';
import { ensureQueues, type ResolvedQueue } from './ensure-queues';
import { unwatchQueueDepth, watchQueueDepth } from './queue-depth.metrics';
import { checkHandlers, type RegisteredHandler } from './handler-check';
import { InboxRepository } from './inbox.repository';
import type { SqsSettings } from './queue-names';
import { SqsContext } from './sqs.context';
import { sqsOutcomeOf } from './sqs-outcome';
import { HandlerRegistrationError, QueueMissingError } from './sqs.errors';
import { sqsMetrics } from './sqs.metrics';

export const SQS_TRANSPORT = Symbol.for('flux-capacitor.sqs-transport');

export interface SqsServerOptions {
  client: SQSClient;
  settings: SqsSettings;
  queue: QueueName;
  /** Service name; the inbox de-duplicates per (consumer, envelope id). */
  consumer: string;
  dataSource: DataSource;
  /** Handlers running at once. Defaults to `settings.batchSize`. */
  concurrency?: number;
  /** How long `close()` waits for running handlers before handing their messages back. Default 25 s. */
  shutdownGraceMs?: number;
}

type Outcome = 'handled' | 'duplicate' | 'failed' | 'dead-lettered' | 'handed-back';

interface InFlight {
  message: Message;
  handedBack: boolean;
}

/** Why this service moved a message to the dead-letter queue; sent along as a message attribute (`rejected-by-handler`: the handler's error has a dead-letter kind). */
type DeadLetterReason = PoisonReason | 'no-handler' | 'receive-count-exceeded' | 'rejected-by-handler';

const DELETE_FLUSH_MS = 20;
const RECEIVE_RETRY_MS = 1000;
/** Backoff cap while SQS or Postgres is away: consuming resumes within this long of their return. */
const MAX_RETRY_MS = 2000;
/** A message whose handler lost the database is received again this soon after the database answers. */
const DATABASE_RETRY_SECONDS = 1;
const FIRST_RESOLVE_WAIT_MS = 3000;

/**
 * A NestJS microservice transport over SQS: `@EventPattern('<message type>')` handlers consume the queue
 * `<prefix><queue>`. Long-polls in batches, extends the visibility timeout while a handler runs, deletes handled
 * messages in batches, dead-letters poison messages at once, and handles each envelope once per consumer through
 * the inbox (`InboxRepository`: the handler runs inside the transaction that records it; see SqsContext#entityManager).
 * A handler's error is settled by its kind (sqsOutcomeOf): dead-lettered at once, or retried after a growing
 * visibility delay. That needs the error itself: service-kit's ProblemDetailsFilter rethrows it outside HTTP, where
 * Nest's default RPC filter would replace it with `{ status: 'error' }` (which is then retried, as any unknown error).
 */
export class SqsServer extends Server implements CustomTransportStrategy {
  override readonly transportId = SQS_TRANSPORT;
  protected override readonly logger = new Logger(SqsServer.name);

  private readonly concurrency: number;
  private readonly graceMs: number;
  private resolved?: ResolvedQueue;
  private running = false;
  private closing?: Promise<void>;
  private pollLoop?: Promise<void>;
  private readonly inFlight = new Map<Promise<Outcome>, InFlight>();
  private slotFreed?: () => void;
  private pendingDeletes: { Id: string; ReceiptHandle: string }[] = [];
  private deleteTimer?: NodeJS.Timeout;
  private deletesInProgress = new Set<Promise<void>>();
  private readonly inbox: InboxRepository;
  /** Aborted by close(): wakes the back-off sleeps. */
  private readonly halt = new AbortController();
  /** A handler lost the database: receiving waits until it answers again (receives would only burn their count). */
  private databaseDown = false;
  private waitingFor?: 'database';

  constructor(private readonly options: SqsServerOptions) {
    super();
    this.inbox = new InboxRepository(options.dataSource);
    this.concurrency = Math.max(1, options.concurrency ?? options.settings.batchSize);
    this.graceMs = options.shutdownGraceMs ?? 25_000;
  }

  /** The resolved queue URLs, once listening (for health checks). */
  get queue(): ResolvedQueue | undefined {
    return this.resolved;
  }

  /** The resolved queue; only read once `listen()` has resolved it. */
  private get target(): ResolvedQueue {
    if (!this.resolved) throw new Error('SqsServer is not listening');
    return this.resolved;
  }

  /**
   * Checks the handlers (a mismatch stops the start-up), then starts consuming in the background: the service starts
   * while SQS or Postgres is down, reports it through `readiness()`, and consumes once both answer.
   */
  listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): void {
    try {
      this.assertHandlers();
    } catch (err) {
      callback(err);
      return;
    }
    if (this.closing) return callback();
    this.running = true;
    // Listening waits for the first attempt to resolve the queue (so `queue` is known when SQS is up), but no longer
    // than FIRST_RESOLVE_WAIT_MS: a silent SQS must not hold up the start of the service.
    // SQS answering that the queue does not exist (FLUX_SQS_CREATE_QUEUES=false) is a deployment error, not an
    // outage: it stops the start-up, naming the queue.
    let firstAttempt!: (err?: unknown) => void;
    const attempted = new Promise<unknown>((resolve) => (firstAttempt = resolve));
    this.pollLoop = this.consume(firstAttempt);
    void Promise.race([attempted, this.pause(FIRST_RESOLVE_WAIT_MS)]).then((err) => {
      if (err instanceof QueueMissingError) {
        this.running = false;
        callback(err);
      } else callback();
    });
  }

  /** For /health: down until the queue is resolved, and while consuming waits for SQS or the database. */
  readiness(): { status: 'up' | 'down'; [detail: string]: unknown } {
    const queue = this.resolved?.name ?? this.options.queue;
    if (!this.resolved) return { status: 'down', queue, error: 'queue not resolved yet: waiting for SQS' };
    if (this.waitingFor === 'database') return { status: 'down', queue, error: 'paused: waiting for the database' };
    return { status: 'up', queue };
  }

  private async consume(firstAttempt: (err?: unknown) => void): Promise<void> {
    for (let delay = 250; this.running && !this.resolved; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      try {
        const queues = await ensureQueues(this.options.client, this.options.settings, [this.options.queue]);
        this.resolved = queues.get(this.options.queue);
      } catch (err) {
        this.logger.warn({ msg: 'cannot resolve the SQS queue; retrying', queue: this.options.queue, err: (err as Error).message, delayMs: delay });
        firstAttempt(err);
        await this.pause(delay);
      }
    }
    firstAttempt();
    if (!this.running) return;
    watchQueueDepth(this.options.client, this.target);
    this.logger.log({
      msg: 'consuming SQS queue',
      queue: this.target.name,
      consumer: this.options.consumer,
      types: messageTypesForQueue(this.options.queue),
      concurrency: this.concurrency,
    });
    await this.poll();
  }

  /** Sleeps `ms`, or less when close() is called. */
  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.halt.signal }).catch(() => undefined);
  }

  /** Returns once the database answers (or the server closes); polls it every MAX_RETRY_MS at most. */
  private async waitForDatabase(): Promise<void> {
    const { dataSource } = this.options;
    this.waitingFor = 'database';
    this.logger.warn({ msg: 'database unavailable: receiving paused until it answers', queue: this.resolved?.name });
    for (let delay = 250; this.running; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      try {
        if (dataSource.isInitialized) {
          await dataSource.query('SELECT 1');
          this.databaseDown = false;
          this.logger.log({ msg: 'database answers again: receiving resumed', queue: this.resolved?.name });
          break;
        }
      } catch {
        // still away
      }
      await this.pause(delay);
    }
    this.waitingFor = undefined;
  }

  /**
   * Stops polling (the current long poll runs out, at most `waitTimeSeconds`, and what it returns is handed back),
   * waits up to the grace period for running handlers, then hands the messages of those still running back to the
   * queue (visibility 0) so another instance picks them up. Idempotent.
   */
  close(): Promise<void> {
    unwatchQueueDepth(this.resolved);
    this.closing ??= this.shutdown();
    return this.closing;
  }

  on(): never {
    throw new Error('SqsServer does not emit events; use its logs and metrics');
  }

  unwrap<T>(): T {
    return this.options.client as T;
  }

  /** Registered handlers as the start-up check sees them. */
  registeredHandlers(): RegisteredHandler[] {
    return [...this.getHandlers()].map(([pattern, handler]) => {
      let count = 0;
      for (let h: MessageHandler | undefined = handler; h; h = h.next) count++;
      return { pattern, count, isEventHandler: handler.isEventHandler === true };
    });
  }

  private assertHandlers(): void {
    const problems = checkHandlers(messageTypesForQueue(this.options.queue), this.registeredHandlers());
    if (problems.length > 0) throw new HandlerRegistrationError(this.options.queue, problems);
  }

  private async shutdown(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    this.halt.abort();
    this.slotFreed?.();
    if (!wasRunning) return;
    const started = Date.now();
    // The current long poll is not aborted: SQS (and local-aws-sqs) would still hand messages to an abandoned
    // request, hiding them for a whole visibility timeout. Whatever it returns is handed back at once.
    const polling = this.pollLoop ?? Promise.resolve();
    const handlers = async () => {
      if (this.inFlight.size === 0) return;
      this.logger.log({ msg: 'waiting for running handlers', queue: this.resolved?.name, count: this.inFlight.size, graceMs: this.graceMs });
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.graceMs)));
      await Promise.race([Promise.allSettled([...this.inFlight.keys()]), grace]);
      clearTimeout(timer);
    };
    await Promise.all([polling, handlers()]);
    const unfinished = [...this.inFlight.values()];
    for (const entry of unfinished) entry.handedBack = true;
    await this.handBack(unfinished.map((e) => e.message));
    if (unfinished.length > 0) {
      this.logger.warn({
        msg: 'handed back unfinished messages',
        queue: this.resolved?.name,
        count: unfinished.length,
        messageIds: unfinished.map((e) => e.message.MessageId),
      });
    }
    await this.flushDeletes();
    await Promise.allSettled([...this.deletesInProgress]);
    this.logger.log({ msg: 'stopped consuming', queue: this.resolved?.name, waitedMs: Date.now() - started });
  }

  /** Makes messages visible again now, for another instance to take. */
  private async handBack(messages: Message[]): Promise<void> {
    await Promise.all(messages.map((m) => this.changeVisibility(m, 0)));
  }

  private async poll(): Promise<void> {
    const { client, settings } = this.options;
    const queue = this.target;
    while (this.running) {
      // Receive when half a batch of slots is free (or nothing runs): each ReceiveMessage is a round trip, and
      // topping up one slot at a time would make that round trip the limit.
      const refill = Math.ceil(Math.min(settings.batchSize, this.concurrency) / 2);
      while (this.running && this.inFlight.size > 0 && this.concurrency - this.inFlight.size < refill) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
      }
      if (!this.running) break;
      if (this.databaseDown || !this.options.dataSource.isInitialized) {
        await this.waitForDatabase();
        continue;
      }
      let messages: Message[];
      try {
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: Math.min(settings.batchSize, this.concurrency - this.inFlight.size),
            WaitTimeSeconds: settings.waitTimeSeconds,
            VisibilityTimeout: settings.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
            // Deprecated spelling of the line above (typed for queue attributes, but SQS reads message
            // attribute names from it); local-aws-sqs only understands this one.
            AttributeNames: ['ApproximateReceiveCount' as QueueAttributeName],
          }),
        );
        messages = out.Messages ?? [];
      } catch (err) {
        if (!this.running) break;
        this.logger.error({ msg: 'ReceiveMessage failed; retrying', queue: queue.name, err: (err as Error).message });
        await this.pause(RECEIVE_RETRY_MS);
        continue;
      }
      if (!this.running) {
        await this.handBack(messages);
        break;
      }
      if (messages.length > 0) this.logger.debug({ msg: 'received', queue: queue.name, count: messages.length });
      for (const message of messages) {
        const entry: InFlight = { message, handedBack: false };
        const work = this.process(entry);
        this.inFlight.set(work, entry);
        void work.then((outcome) => {
          this.inFlight.delete(work);
          if ((outcome === 'handled' || outcome === 'duplicate') && !entry.handedBack) this.scheduleDelete(message);
          this.slotFreed?.();
        });
      }
    }
  }

  /** Runs one delivery to its outcome; never rejects. */
  private async process(entry: InFlight): Promise<Outcome> {
    const { message } = entry;
    const queue = this.target;
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
    const parsed = parseEnvelope(message.Body);
    const type = parsed.ok ? parsed.envelope.type : (parsed.type ?? 'unknown');
    sqsMetrics.received.inc({ queue: queue.name, type });
    try {
      if (!parsed.ok) {
        return await this.deadLetter(message, type, parsed.reason, parsed.detail, parsed.id);
      }
      const { envelope } = parsed;
      const handler = this.getHandlerByPattern(envelope.type);
      if (!handler) {
        return await this.deadLetter(message, type, 'no-handler', `no handler for "${type}" on this queue`, envelope.id);
      }
      if (receiveCount > this.options.settings.maxReceiveCount) {
        // The redrive policy should have moved it already; the queue may have been created without one.
        return await this.deadLetter(
          message,
          type,
          'receive-count-exceeded',
          `received ${receiveCount} times, more than maxReceiveCount ${this.options.settings.maxReceiveCount}`,
          envelope.id,
        );
      }
      return await this.handle(entry, handler, envelope, receiveCount);
    } catch (err) {
      // Only the dead-letter path can get here (SendMessage failed); the message stays and is redelivered.
      this.logger.error({ msg: 'could not settle message', queue: queue.name, messageId: message.MessageId, err: (err as Error).message });
      return 'failed';
    }
  }

  private async handle(
    entry: InFlight,
    handler: MessageHandler,
    envelope: SqsContext['envelope'],
    receiveCount: number,
  ): Promise<Outcome> {
    const { message } = entry;
    const queue = this.target;
    const { consumer, settings } = this.options;
    const labels = { queue: queue.name, type: envelope.type };
    const started = process.hrtime.bigint();
    const extendEveryMs = Math.max(1000, (settings.visibilityTimeoutSeconds * 1000) / 2);
    const extender = setInterval(() => {
      if (!entry.handedBack) void this.changeVisibility(message, settings.visibilityTimeoutSeconds);
    }, extendEveryMs);
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const claim = { consumer, messageId: envelope.id, messageType: envelope.type };
      const { duplicate } = await this.inbox.handleOnce(claim, async (entityManager) => {
        const context = new SqsContext([message, envelope, entityManager, queue.queue]);
        const result = await handler(envelope.payload, context);
        await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      });
      const outcome = duplicate ? ('duplicate' as const) : ('handled' as const);
      if (outcome === 'duplicate') {
        sqsMetrics.duplicates.inc(labels);
        this.logger.log({ msg: 'duplicate delivery; already handled', ...labels, envelopeId: envelope.id, messageId: message.MessageId });
      } else {
        sqsMetrics.handled.inc(labels);
        this.logger.debug({ msg: 'handled', ...labels, envelopeId: envelope.id, correlationId: envelope.correlationId, ms: Math.round(seconds() * 1000) });
      }
      sqsMetrics.handlerDuration.observe({ ...labels, outcome }, seconds());
      return entry.handedBack ? 'handed-back' : outcome;
    } catch (err) {
      clearInterval(extender);
      const settled = sqsOutcomeOf(err, receiveCount, settings.visibilityTimeoutSeconds);
      if (settled.action === 'dead-letter' && !entry.handedBack) {
        sqsMetrics.handlerDuration.observe({ ...labels, outcome: 'dead-lettered' }, seconds());
        return await this.deadLetter(message, envelope.type, 'rejected-by-handler', settled.reason, envelope.id);
      }
      sqsMetrics.failed.inc(labels);
      sqsMetrics.handlerDuration.observe({ ...labels, outcome: 'failed' }, seconds());
      // The database went away under the handler: receiving pauses until it is back, and the message is taken
      // again right after, instead of waiting out a backoff meant for a handler that keeps failing.
      const lostDatabase = isDatabaseUnavailable(err);
      if (lostDatabase) this.databaseDown = true;
      const retryInSeconds = lostDatabase ? DATABASE_RETRY_SECONDS : settled.action === 'retry' ? settled.delaySeconds : undefined;
      // An outage is no fault of the message: from its second failed receive on, it goes back to the queue as a new
      // message (its receive count starts again), so a dependency down for longer than maxReceiveCount retries
      // cannot dead-letter it. Poison messages fail for other reasons and still reach the dead-letter queue.
      if ((lostDatabase || isNetworkFailure(err)) && receiveCount >= 2 && !entry.handedBack && (await this.requeue(message, retryInSeconds ?? settings.visibilityTimeoutSeconds, labels))) {
        this.logger.warn({ msg: 'handler failed: a dependency did not answer; message requeued', ...labels, envelopeId: envelope.id, messageId: message.MessageId, receiveCount, retryInSeconds, err: describeError(err) });
        return 'failed';
      }
      // The first retry waits out the visibility timeout already running; later ones are pushed back further.
      // (local-aws-sqs counts a ChangeMessageVisibility as a receive, so the emulator dead-letters sooner.)
      if (retryInSeconds !== undefined && (lostDatabase || retryInSeconds > settings.visibilityTimeoutSeconds) && !entry.handedBack) {
        await this.changeVisibility(message, retryInSeconds);
      }
      this.logger.warn({
        msg: 'handler failed; message will be redelivered',
        ...labels,
        envelopeId: envelope.id,
        correlationId: envelope.correlationId,
        messageId: message.MessageId,
        receiveCount,
        maxReceiveCount: settings.maxReceiveCount,
        retryInSeconds,
        err: describeError(err),
      });
      return 'failed';
    } finally {
      clearInterval(extender);
    }
  }

  private async deadLetter(
    message: Message,
    type: string,
    reason: DeadLetterReason,
    detail: string,
    envelopeId?: string,
  ): Promise<Outcome> {
    const queue = this.target;
    await this.options.client.send(
      new SendMessageCommand({
        QueueUrl: queue.deadLetterUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: {
          'flux-dead-letter-reason': { DataType: 'String', StringValue: reason },
          'flux-dead-letter-detail': { DataType: 'String', StringValue: detail.slice(0, 1000) || reason },
          'flux-source-queue': { DataType: 'String', StringValue: queue.name },
          'flux-source-message-id': { DataType: 'String', StringValue: message.MessageId ?? 'unknown' },
        },
      }),
    );
    sqsMetrics.deadLettered.inc({ queue: queue.name, type, reason });
    this.logger.error({
      msg: 'moved message to dead-letter queue',
      queue: queue.name,
      deadLetterQueue: queue.deadLetterName,
      type,
      reason,
      detail,
      envelopeId,
      messageId: message.MessageId,
    });
    this.scheduleDelete(message);
    return 'dead-lettered';
  }

  /** Sends the message's body again (delayed) and deletes this copy; false when SQS did not take it (it stays as is). */
  private async requeue(message: Message, delaySeconds: number, labels: { queue: string; type: string }): Promise<boolean> {
    try {
      await this.options.client.send(
        new SendMessageCommand({ QueueUrl: this.target.url, MessageBody: message.Body ?? '', DelaySeconds: Math.min(Math.max(0, Math.round(delaySeconds)), 900) }),
      );
    } catch {
      return false;
    }
    sqsMetrics.requeued.inc(labels);
    this.scheduleDelete(message);
    return true;
  }

  private async changeVisibility(message: Message, seconds: number): Promise<void> {
    try {
      await this.options.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.target.url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (err) {
      this.logger.warn({
        msg: 'ChangeMessageVisibility failed',
        queue: this.resolved?.name,
        messageId: message.MessageId,
        visibilityTimeout: seconds,
        err: (err as Error).message,
      });
    }
  }

  private scheduleDelete(message: Message): void {
    if (!message.ReceiptHandle) return;
    this.pendingDeletes.push({ Id: String(this.pendingDeletes.length), ReceiptHandle: message.ReceiptHandle });
    if (this.pendingDeletes.length >= 10) void this.flushDeletes();
    else this.deleteTimer ??= setTimeout(() => void this.flushDeletes(), DELETE_FLUSH_MS);
  }

  /** Deletes settled messages, up to 10 per DeleteMessageBatch call. */
  private flushDeletes(): Promise<void> {
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    const batch = this.pendingDeletes.splice(0, 10).map((e, i) => ({ ...e, Id: String(i) }));
    if (batch.length === 0) return Promise.resolve();
    const queue = this.target;
    const work = this.options.client
      .send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: batch }))
      .then((out) => {
        if (out.Failed && out.Failed.length > 0) {
          // An expired receipt handle means the message will come back; the inbox makes that a duplicate.
          this.logger.warn({ msg: 'DeleteMessageBatch partly failed', queue: queue.name, failed: out.Failed });
        }
      })
      .catch((err: unknown) => {
        this.logger.error({ msg: 'DeleteMessageBatch failed', queue: queue.name, count: batch.length, err: (err as Error).message });
      })
      .finally(() => this.deletesInProgress.delete(work));
    this.deletesInProgress.add(work);
    const rest = this.pendingDeletes.length > 0 ? this.flushDeletes() : Promise.resolve();
    return Promise.all([work, rest]).then(() => undefined);
  }
}

function describeError(err: unknown): unknown {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  // Nest's RPC exception filter turns a thrown error into `{ status: 'error', message }`.
  return err;
}
