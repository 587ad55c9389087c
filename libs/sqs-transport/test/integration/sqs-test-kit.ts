import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ArchiveObjectWritten } from '@flux-capacitor/contracts';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { Catch, Controller, Global, Inject, Module, type DynamicModule, type ExceptionFilter, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { SqsContext } from '@flux-capacitor/sqs-transport';
import { upgradeArchiveObjectWritten } from '@flux-capacitor/contracts';

export function archiveObjectWritten(overrides: Partial<ArchiveObjectWritten> = {}): ArchiveObjectWritten {
  const v1 = {
    objectUri: 's3://flux-test-archive/archive/stream=orders/dt=2026-11-25/hour=17/part-0.parquet',
    stream: 'orders',
    shardId: 'shardId-000000000001',
    firstSequenceNumber: '49590338271490256608559692538361571095921575989136588802',
    lastSequenceNumber: '49590338271490256608559692538361571095921575989136589999',
    firstArrivalTime: '2026-11-25T17:00:00.000Z',
    lastArrivalTime: '2026-11-25T17:04:59.999Z',
    dt: '2026-11-25',
    hour: 17,
    recordCount: 1200,
    bytes: 65536,
  };
  return { ...upgradeArchiveObjectWritten(v1), ...overrides };
}

export interface HandlerCall {
  payload: unknown;
  envelopeId: string;
  correlationId: string;
  producer: string;
  receiveCount: number;
}

/** What the test handler records and does; each test sets `behaviour`. */
export class Probe {
  readonly calls: HandlerCall[] = [];
  behaviour: (payload: ArchiveObjectWritten, ctx: SqsContext) => Promise<void> = async () => undefined;
}

export const PROBE = Symbol('probe');

@Controller()
export class ArchiveObjectWrittenHandler {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @EventPattern<string>('archive.object.written')
  async onArchiveObjectWritten(@Payload() payload: ArchiveObjectWritten, @Ctx() ctx: SqsContext): Promise<void> {
    this.probe.calls.push({
      payload,
      envelopeId: ctx.envelope.id,
      correlationId: ctx.correlationId,
      producer: ctx.envelope.producer,
      receiveCount: ctx.receiveCount,
    });
    await this.probe.behaviour(payload, ctx);
  }
}

@Controller()
export class StrayCatalogPartitionAddedHandler {
  @EventPattern<string>('catalog.partition.added')
  async onCatalogPartitionAdded(): Promise<void> {
    // Never called: the server must refuse to start with this handler on the catalog queue.
  }
}

/** A consumer application module with the given handler controllers. */
/**
 * Hands a handler's error to the SqsServer as it was thrown, as service-kit's ProblemDetailsFilter does outside
 * HTTP (Nest's default RPC filter would replace it with `{ status: 'error' }`, and its kind would be lost).
 */
@Catch()
class RethrowErrors implements ExceptionFilter {
  catch(exception: unknown): never {
    throw exception;
  }
}

export function consumerModule(probe: Probe, controllers: Type[] = [ArchiveObjectWrittenHandler]): DynamicModule {
  @Module({})
  class ConsumerModule {}
  return { module: ConsumerModule, controllers, providers: [{ provide: PROBE, useValue: probe }, { provide: APP_FILTER, useClass: RethrowErrors }] };
}

/** Stands in for the service kit: provides the validated FluxConfig globally. */
export function configModule(config: FluxConfig, extra: DynamicModule['providers'] = []): DynamicModule {
  @Global()
  @Module({})
  class TestConfigModule {}
  return {
    module: TestConfigModule,
    providers: [{ provide: FLUX_CONFIG, useValue: config }, ...extra],
    exports: [FLUX_CONFIG, ...extra.map((p) => ('provide' in p ? p.provide : p))],
  };
}

/**
 * Receives every message currently in a queue (hiding each for 10 minutes), stopping after `idleRounds`
 * empty long polls in a row once at least `atLeast` messages arrived, or at `deadline`.
 */
export async function drainQueue(
  client: SQSClient,
  queueUrl: string,
  options: { atLeast?: number; timeoutMs?: number; idleRounds?: number } = {},
): Promise<Message[]> {
  const { atLeast = 1, timeoutMs = 40_000, idleRounds = 2 } = options;
  const deadline = Date.now() + timeoutMs;
  const got: Message[] = [];
  let idle = 0;
  while (Date.now() < deadline) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 600,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const messages = out.Messages ?? [];
    got.push(...messages);
    idle = messages.length === 0 ? idle + 1 : 0;
    if (got.length >= atLeast && idle >= idleRounds) break;
  }
  return got;
}

/** Visible + in-flight + delayed messages of a queue. */
export async function queueDepth(client: SQSClient, queueUrl: string): Promise<number> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

export async function createPlainQueue(client: SQSClient, name: string): Promise<string> {
  return (await client.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
