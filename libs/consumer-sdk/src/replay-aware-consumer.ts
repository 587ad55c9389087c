import type { ConsumedRecord } from './consumed-record';
import { decodeRecordData, type ReplayMarkerHeader } from './envelope';
import { compareVersions, type CompareContext, type RecordVersion } from './version';
import type { StoredVersion, VersionStore } from './version-store';
import type { ReplayWatermarks, WatermarkSource } from './watermarks';

/** A user record with its envelope taken off. */
export interface DecodedRecord {
  origin: 'live' | 'replay';
  /** The original partition key (for a replayed record: the one in its source stream). */
  partitionKey: string;
  /** The original bytes. */
  data: Uint8Array;
  op: 'upsert' | 'delete';
  annotations: Record<string, string>;
  replayId?: string;
  version: RecordVersion;
  /** The record as read. */
  record: ConsumedRecord;
}

export type DecodedOrMarker = DecodedRecord | { origin: 'marker'; header: ReplayMarkerHeader; record: ConsumedRecord };

export interface Decision {
  action: 'apply' | 'skip';
  /** `no-key`: the `key` function found no key in the record. */
  reason: 'new' | 'newer' | 'older' | 'duplicate' | 'forced' | 'marker' | 'no-key';
  origin: 'live' | 'replay' | 'marker';
  key: string;
  /** The unwrapped original bytes (empty for a marker). */
  data: Uint8Array;
  op: 'upsert' | 'delete';
  annotations: Record<string, string>;
  replayId?: string;
  version: RecordVersion;
}

export interface DecodeOptions {
  /** Whether a LIVE record is a delete. Default: empty data, the same tombstone rule replay uses. */
  isDelete?: (record: Omit<DecodedRecord, 'op'>) => boolean;
}

export interface ReplayAwareConsumerOptions extends DecodeOptions {
  store: VersionStore;
  /** Needed to order a replayed record against a live one on another shard; without it arrival time decides. */
  watermarks?: WatermarkSource;
  /** The key records are versioned by. Default: the (original) partition key. `undefined`: skip with `no-key`. */
  key?: (record: DecodedRecord) => string | undefined;
}

const arrivalMs = (t: Date | number) => (typeof t === 'number' ? t : t.getTime());
const EMPTY = new Uint8Array(0);

/**
 * Takes the envelope off a record: a replayed record's version is its source position, a live record's is where it
 * was read. Throws EnvelopeError for data that starts with the envelope magic but cannot be read.
 */
export function decodeConsumedRecord(record: ConsumedRecord, options: DecodeOptions = {}): DecodedOrMarker {
  const decoded = decodeRecordData(record.data);
  if (decoded.kind === 'marker') return { origin: 'marker', header: decoded.header, record };
  if (decoded.kind === 'replayed') {
    const { header } = decoded;
    return {
      origin: 'replay',
      partitionKey: header.source.partitionKey,
      data: decoded.data,
      op: header.op,
      annotations: header.annotations,
      replayId: header.replayId,
      version: {
        stream: header.source.stream,
        shardId: header.source.shardId,
        sequenceNumber: header.source.sequenceNumber,
        subSequenceNumber: header.source.subSequenceNumber,
        arrivalTime: Date.parse(header.source.arrivalTime),
      },
      record,
    };
  }
  const live: Omit<DecodedRecord, 'op'> = {
    origin: 'live',
    partitionKey: record.partitionKey,
    data: decoded.data,
    annotations: {},
    version: {
      stream: record.stream,
      shardId: record.shardId,
      sequenceNumber: record.sequenceNumber,
      subSequenceNumber: record.subSequenceNumber ?? 0,
      arrivalTime: arrivalMs(record.arrivalTime),
    },
    record,
  };
  const isDelete = options.isDelete ? options.isDelete(live) : live.data.length === 0;
  return { ...live, op: isDelete ? 'delete' : 'upsert' };
}

/**
 * Keeps a consumer's per-key state consistent while archived records are replayed into its stream: a record is
 * applied only when it is newer, in its source stream, than the last one applied for its key.
 *
 * Use `process` (decide, apply, record) and two records of one key are handled one after the other even when they
 * arrive on different shards at once. With `decide` + `applied`, serialize per key yourself.
 */
export class ReplayAwareConsumer {
  private readonly keyLocks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ReplayAwareConsumerOptions) {}

  async decide(record: ConsumedRecord): Promise<Decision> {
    return this.decideDecoded(this.decode(record));
  }

  /** Records the decision's version as its key's last applied one. Call it after the record was applied. */
  async applied(decision: Decision): Promise<void> {
    if (decision.action !== 'apply') return;
    const stored: StoredVersion = decision.replayId === undefined ? { version: decision.version } : { version: decision.version, replayId: decision.replayId };
    await this.options.store.put(decision.key, stored);
  }

  /** Decides, calls `apply` for an applied record, then records its version. Returns the decision. */
  async process(record: ConsumedRecord, apply: (d: Decision) => Promise<void> | void): Promise<Decision> {
    const decoded = this.decode(record);
    const run = async () => {
      const decision = await this.decideDecoded(decoded);
      if (decision.action === 'apply') {
        await apply(decision);
        await this.applied(decision);
      }
      return decision;
    };
    if (decoded.key === undefined) return run();
    return this.withKeyLock(decoded.key, run);
  }

  private decode(record: ConsumedRecord): { d: DecodedOrMarker; key: string | undefined } {
    const d = decodeConsumedRecord(record, this.options);
    if (d.origin === 'marker') return { d, key: undefined };
    return { d, key: this.options.key ? this.options.key(d) : d.partitionKey };
  }

  private async decideDecoded({ d, key }: { d: DecodedOrMarker; key: string | undefined }): Promise<Decision> {
    if (d.origin === 'marker') {
      const r = d.record;
      return {
        action: 'skip',
        reason: 'marker',
        origin: 'marker',
        key: r.partitionKey,
        data: EMPTY,
        op: 'upsert',
        annotations: {},
        replayId: d.header.replayId,
        version: { stream: r.stream, shardId: r.shardId, sequenceNumber: r.sequenceNumber, subSequenceNumber: r.subSequenceNumber ?? 0, arrivalTime: arrivalMs(r.arrivalTime) },
      };
    }
    const base = { origin: d.origin, data: d.data, op: d.op, annotations: d.annotations, version: d.version, ...(d.replayId !== undefined ? { replayId: d.replayId } : {}) };
    if (key === undefined) return { ...base, action: 'skip', reason: 'no-key', key: '' };
    const stored = await this.options.store.get(key);
    if (!stored) return { ...base, action: 'apply', reason: 'new', key };
    const order = compareVersions(d.version, stored.version, await this.context(d, stored));
    if (order > 0) return { ...base, action: 'apply', reason: 'newer', key };
    if (order < 0) return { ...base, action: 'skip', reason: 'older', key };
    // Force re-applies over the consumer's own duplicate check, never over a newer record.
    if (d.origin === 'replay' && d.annotations.forceOverwrite === 'true') return { ...base, action: 'apply', reason: 'forced', key };
    return { ...base, action: 'skip', reason: 'duplicate', key };
  }

  /** Watermarks are fetched only when they can matter: two positions on different shards of one stream. */
  private async context(d: DecodedRecord, stored: StoredVersion): Promise<CompareContext> {
    const ctx: CompareContext = { aReplayId: d.replayId, bReplayId: stored.replayId };
    const source = this.options.watermarks;
    if (!source || d.version.stream !== stored.version.stream || d.version.shardId === stored.version.shardId) return ctx;
    const ids = [...new Set([d.replayId, stored.replayId].filter((x): x is string => x !== undefined))];
    const docs: ReplayWatermarks[] = await Promise.all(ids.map((id) => source.get(id)));
    return { ...ctx, watermarks: docs };
  }

  private async withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.keyLocks.get(key) ?? Promise.resolve();
    const current = previous.then(fn);
    const tail = current.catch(() => undefined);
    this.keyLocks.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.keyLocks.get(key) === tail) this.keyLocks.delete(key);
    }
  }
}
