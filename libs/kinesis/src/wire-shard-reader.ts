import { Readable } from 'node:stream';
import { GetRecordsCommand } from '@aws-sdk/client-kinesis';
import { scanGetRecords, type WireRecord } from './get-records-body';
import { ShardReader, type ReadBatch } from './shard-reader';

export interface WireBatch extends ReadBatch<WireRecord> {
  /** The response body's bytes, which `records` read in place (its commas between records are newlines now: scanGetRecords). */
  body: Buffer;
}

/** Arrival of a wire record in epoch milliseconds, rounded as the SDK rounds it into a Date. */
export const wireArrivalMs = (r: WireRecord): number => Math.round(r.ApproximateArrivalTimestamp * 1000);

/** The body's bytes, chunks as they came (no copy of each), joined once. */
async function collect(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    chunks.push(bytes);
    length += bytes.byteLength;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
}

/**
 * A ShardReader that hands over GetRecords pages as they came: the body's bytes and its records with their data still
 * base64, for the archiver, which gives the bytes to DuckDB to parse and decode (docs/archiver.md "Reading pages").
 * The SDK still sends the call (signing, retries, errors) and parses the envelope; only the records skip its
 * deserializer, which builds a Date and decodes the data of every record on the main thread. The records are read
 * from the body without copying their data out of it (scanGetRecords).
 */
export class WireShardReader extends ShardReader<WireRecord, WireBatch> {
  protected override async getRecords(iterator: string, limit: number): Promise<{ batch: WireBatch; nextIterator: string | undefined }> {
    const command = new GetRecordsCommand({ ShardIterator: iterator, Limit: limit });
    let page: { body: Buffer; records: WireRecord[] } | undefined;
    // Innermost in the deserialize step: sees the raw response before the SDK's deserializer and leaves it the
    // envelope (NextShardIterator, MillisBehindLatest, ChildShards) with no records. Error responses pass untouched.
    command.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const response = result.response as { statusCode?: number; body?: unknown };
        if (response.statusCode === 200 && response.body !== undefined) {
          const body = await collect(response.body);
          const { records, envelope } = scanGetRecords(body);
          page = { body, records };
          response.body = Readable.from([Buffer.from(envelope)]);
        }
        return result;
      },
      { step: 'deserialize', priority: 'low', name: 'fluxWireRecords' },
    );
    const out = await this.kinesis.send(command);
    if (!page) throw new Error('GetRecords: no response body');
    const batch: WireBatch = { records: page.records, body: page.body, millisBehindLatest: out.MillisBehindLatest ?? 0, ended: out.NextShardIterator == null };
    return { batch, nextIterator: out.NextShardIterator ?? undefined };
  }

  protected override empty(ended: boolean): WireBatch {
    return { records: [], body: Buffer.alloc(0), millisBehindLatest: 0, ended };
  }
}
