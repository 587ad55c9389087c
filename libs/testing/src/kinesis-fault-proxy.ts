import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './seeded-random';

export interface KinesisFaultProxy {
  url: string;
  /** share 0..1 of PutRecords entries answered as ProvisionedThroughputExceededException without forwarding them */
  setPutThrottleRate(rate: number): void;
  throttledEntries(): number;
  close(): Promise<void>;
}

interface PutRecordsResult {
  SequenceNumber?: string;
  ShardId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

const PUT_RECORDS = 'Kinesis_20131202.PutRecords';
const AMZ_JSON = 'application/x-amz-json-1.1';
// Hop-by-hop headers belong to one connection and must not be copied onto the other.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function copyHeaders(headers: IncomingHttpHeaders, contentLength?: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !(contentLength !== undefined && name === 'content-length')) out[name] = value;
  }
  if (contentLength !== undefined) out['content-length'] = String(contentLength);
  return out;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * A real HTTP proxy on 127.0.0.1 in front of a Kinesis endpoint that makes PutRecords throttle a chosen share of
 * entries, as Kinesis does when a shard is over its limit: the chosen entries are answered as
 * ProvisionedThroughputExceededException without reaching the target, the others are forwarded, and the answer is
 * merged back in request order. Everything else passes through unchanged. The SDK signs the body with SigV4;
 * kinesalite does not check signatures, so forwarding a shortened body works there (it would not on AWS).
 * Only JSON requests are rewritten (the SDK v3 client speaks JSON); CBOR passes through untouched.
 */
export async function startKinesisFaultProxy(
  target: string,
  options: { putThrottleRate?: number; seed?: number } = {},
): Promise<KinesisFaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const random = seededRandom(options.seed ?? 1);
  let throttleRate = clampRate(options.putThrottleRate ?? 0);
  let throttled = 0;

  const forward = (req: IncomingMessage, headers: Record<string, string | string[]>, body?: Buffer) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const out = request(
        { agent, protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
        resolve,
      );
      out.on('error', reject);
      if (body) out.end(body);
      else req.pipe(out);
    });

  const passThrough = async (req: IncomingMessage, res: ServerResponse) => {
    const answer = await forward(req, copyHeaders(req.headers));
    res.writeHead(answer.statusCode ?? 502, copyHeaders(answer.headers));
    answer.pipe(res);
  };

  const putRecords = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const input = JSON.parse(body.toString('utf8')) as { StreamName?: string; StreamARN?: string; Records: unknown[] };
    const dropped = input.Records.map(() => random() < throttleRate);
    const kept = input.Records.filter((_, i) => !dropped[i]);
    const stream = input.StreamName ?? input.StreamARN ?? 'stream';
    const refusal = (): PutRecordsResult => ({
      ErrorCode: 'ProvisionedThroughputExceededException',
      ErrorMessage: `Rate exceeded for shard in stream ${stream} (injected by the test's fault proxy)`,
    });
    let forwarded: PutRecordsResult[] = [];
    let headers: Record<string, string | string[]> = { 'content-type': AMZ_JSON, 'x-amzn-requestid': `fault-proxy-${Date.now()}` };
    if (kept.length > 0) {
      const newBody = Buffer.from(JSON.stringify({ ...input, Records: kept }));
      const answer = await forward(req, copyHeaders(req.headers, newBody.length), newBody);
      const answerBody = await readBody(answer);
      if (answer.statusCode !== 200) {
        // A whole-call error (stream missing, validation): the caller must see it as Kinesis sent it.
        res.writeHead(answer.statusCode ?? 502, copyHeaders(answer.headers, answerBody.length));
        res.end(answerBody);
        return;
      }
      forwarded = (JSON.parse(answerBody.toString('utf8')) as { Records: PutRecordsResult[] }).Records;
      headers = copyHeaders(answer.headers);
    }
    let next = 0;
    const records = dropped.map((drop) => (drop ? refusal() : forwarded[next++]));
    const droppedCount = dropped.filter(Boolean).length;
    throttled += droppedCount;
    const merged = Buffer.from(
      JSON.stringify({ FailedRecordCount: records.filter((r) => r.ErrorCode).length, Records: records }),
    );
    delete headers['content-length'];
    res.writeHead(200, { ...headers, 'content-length': String(merged.length) });
    res.end(merged);
  };

  const server = createServer((req, res) => {
    const isJson = (req.headers['content-type'] ?? '').split(';')[0].trim() === AMZ_JSON;
    const handle = req.headers['x-amz-target'] === PUT_RECORDS && isJson && throttleRate > 0 ? putRecords : passThrough;
    handle(req, res).catch((error: unknown) => {
      // The target went away or answered nonsense: fail this call the way a broken connection would.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`kinesis fault proxy: ${String(error)}`);
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setPutThrottleRate: (rate) => {
      throttleRate = clampRate(rate);
    },
    throttledEntries: () => throttled,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

function clampRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`put throttle rate must be within 0..1, got ${rate}`);
  return rate;
}
