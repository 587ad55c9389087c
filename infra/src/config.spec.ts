import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { infraConfigSchema, InfraConfigError, parseInfraConfig } from './config';
import { TEST_CONFIG_INPUT } from './testing/synth-fixture';

function issuesOf(input: unknown): string[] {
  try {
    parseInfraConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(InfraConfigError);
    return (err as InfraConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected an InfraConfigError');
}

describe('infra config', () => {
  it('accepts the example in infra/config and fills in the defaults', () => {
    const c = parseInfraConfig(JSON.parse(readFileSync(join(__dirname, '../config/example.json'), 'utf8')));
    expect(c.queues).toEqual({ prefix: 'flux-', maxReceiveCount: 5 });
    expect(c.capacity.archiver).toEqual({ cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 8 });
    expect(c.database).toMatchObject({ minAcu: 0.5, maxAcu: 4, deletionProtection: true });
    expect(c.streams[0]).toMatchObject({ name: 'orders', existing: true, archive: true, retentionHours: 24 });
  });

  it('names every bad setting at once', () => {
    expect(issuesOf({ ...TEST_CONFIG_INPUT, region: 'mars', certificateArn: 'cert', queues: { maxReceiveCount: 0 } })).toEqual([
      expect.stringMatching(/^region: must be an AWS region/),
      expect.stringMatching(/^queues\.maxReceiveCount: /),
      expect.stringMatching(/^certificateArn: must be an ACM certificate ARN/),
    ]);
  });

  it('refuses a replay target that is not a configured stream, and a stream listed twice', () => {
    expect(issuesOf({ ...TEST_CONFIG_INPUT, replayTargets: ['nowhere'] })).toEqual(['replayTargets.0: "nowhere" is not one of streams[].name']);
    expect(issuesOf({ ...TEST_CONFIG_INPUT, streams: [{ name: 'orders' }, { name: 'orders' }], replayTargets: [] })).toEqual(['streams.1.name: "orders" is listed twice']);
  });

  it("refuses an ARN that names another stream, and a configuration that archives nothing", () => {
    expect(issuesOf({ ...TEST_CONFIG_INPUT, streams: [{ name: 'orders', arn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks' }], replayTargets: [] })).toEqual([
      'streams.0.arn: the ARN names another stream',
    ]);
    expect(issuesOf({ ...TEST_CONFIG_INPUT, streams: [{ name: 'orders', archive: false }], replayTargets: [] })).toEqual(['streams: at least one stream must be archived']);
  });

  it('refuses unknown keys, so a typo is not silently ignored', () => {
    expect(issuesOf({ ...TEST_CONFIG_INPUT, enableDril: true })).toEqual([expect.stringMatching(/enableDril/)]);
  });
});

describe('docs/operations.md', () => {
  it('documents every setting of the configuration', () => {
    const docs = readFileSync(join(__dirname, '../../docs/operations.md'), 'utf8');
    const settings = infraConfigSchema.shape;
    const missing: string[] = [];
    for (const [key, schema] of Object.entries(settings)) {
      // Nested objects (`archive`, `queues`, `images`, `database`, `drill`, `capacity`) are documented by their fields.
      const inner = unwrapObject(schema);
      const names = inner && key !== 'capacity' ? Object.keys(inner).map((k) => `${key}.${k}`) : [key === 'capacity' ? 'capacity.<' : key];
      // `database.maxAcu` may appear as `maxAcu` beside `database.minAcu`.
      for (const name of names) if (!docs.includes(`\`${name}`) && !docs.includes(`\`${name.split('.').pop()}\``)) missing.push(name);
    }
    expect(missing).toEqual([]);
  });
});

/** The shape of an object schema behind defaults, or undefined for a plain setting. */
function unwrapObject(schema: unknown): Record<string, unknown> | undefined {
  let s = schema as { def?: { type: string; innerType?: unknown; in?: unknown }; shape?: Record<string, unknown> };
  for (let i = 0; i < 5 && s?.def; i++) {
    if (s.def.type === 'object') return s.shape;
    s = (s.def.innerType ?? s.def.in) as typeof s;
  }
  return undefined;
}
