import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpWatermarkSource, WatermarkError, type ReplayWatermarks } from '@flux-capacitor/consumer-sdk';

/**
 * Contract test: the replay coordinator's `GET /v1/replays/:id/watermarks` is built in parallel, so a real local
 * HTTP server serves the documented shape here.
 */
const TOKEN = 'secret-token';
const doc = (replayId: string, state: ReplayWatermarks['state']): ReplayWatermarks => ({
  replayId,
  sourceStream: 'orders',
  targetStream: 'orders',
  state,
  watermarks: [{ shardId: 'shardId-000000000000', sequenceNumber: '49590338271490256608559692538361571095921575989136588818' }],
  shards: [{ shardId: 'shardId-000000000002', parentShardId: 'shardId-000000000000', adjacentParentShardId: null }],
});

describe('HttpWatermarkSource (contract: GET /v1/replays/:id/watermarks)', () => {
  let server: Server;
  let baseUrl: string;
  const requests: IncomingMessage[] = [];
  const states = new Map<string, ReplayWatermarks['state']>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req);
      const m = /^\/v1\/replays\/([^/]+)\/watermarks$/.exec(req.url ?? '');
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end('{"message":"Unauthorized"}');
      const id = m && decodeURIComponent(m[1]);
      const state = id ? states.get(id) : undefined;
      if (!id || !state) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc(id, state)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (requests.length = 0));

  it('reads the documented shape with the bearer token', async () => {
    states.set('r-running', 'running');
    const source = new HttpWatermarkSource({ baseUrl, token: TOKEN });
    expect(await source.get('r-running')).toEqual(doc('r-running', 'running'));
    expect(requests).toHaveLength(1);
    expect(requests[0].url).toBe('/v1/replays/r-running/watermarks');
  });

  it('asks again for a running replay after the ttl, but keeps an ended one for good', async () => {
    let now = 0;
    states.set('r-live', 'running');
    states.set('r-done', 'completed');
    const source = new HttpWatermarkSource({ baseUrl, token: TOKEN, ttlMs: 5000, now: () => now });
    await Promise.all([source.get('r-live'), source.get('r-live'), source.get('r-done')]);
    expect(requests).toHaveLength(2);
    now = 4999;
    await source.get('r-live');
    expect(requests).toHaveLength(2);
    now = 5000;
    states.set('r-live', 'completed');
    expect((await source.get('r-live')).state).toBe('completed');
    now = 1_000_000;
    await source.get('r-live');
    await source.get('r-done');
    expect(requests).toHaveLength(3);
  });

  it('names a refused token, an unknown replay and an unreachable coordinator', async () => {
    states.set('r-x', 'running');
    const noToken = new HttpWatermarkSource({ baseUrl });
    await expect(noToken.get('r-x')).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/HTTP 401.*no API token/) });
    const badToken = new HttpWatermarkSource({ baseUrl, token: 'wrong' });
    await expect(badToken.get('r-x')).rejects.toThrow(/check the API token/);
    const source = new HttpWatermarkSource({ baseUrl, token: TOKEN });
    await expect(source.get('missing')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('replay missing is unknown') });

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const down = new HttpWatermarkSource({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN });
    const error = await down.get('r-x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WatermarkError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(new RegExp(`cannot reach .*127\\.0\\.0\\.1:${port}.*ECONNREFUSED`)) });
  });
});
