import { ConfigError, describeSettings, loadConfig, loadDatabaseUrl } from './load-config';
import { parseArchiveUri } from './archive-uri';

const valid = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/flux', FLUX_ARCHIVE_URI: 's3://flux-archive/archive' };

function issuesOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => i.key);
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('builds a typed nested config with defaults from a minimal environment', () => {
    const c = loadConfig(valid);
    expect(c.database.url).toBe(valid.DATABASE_URL);
    expect(c.archive).toEqual({ kind: 's3', uri: 's3://flux-archive/archive', bucket: 'flux-archive', prefix: 'archive' });
    expect(c.sqs).toMatchObject({ queuePrefix: 'flux-', createQueues: true, maxReceiveCount: 5, waitTimeSeconds: 20 });
    expect(c.aws.s3ForcePathStyle).toBe(false);
    expect(c.auth.tokens.size).toBe(0);
  });

  it('names every missing required setting at once', () => {
    expect(issuesOf({})).toEqual(expect.arrayContaining(['DATABASE_URL', 'FLUX_ARCHIVE_URI']));
  });

  it('names a malformed setting and says what is wrong with it', () => {
    expect(() => loadConfig({ ...valid, FLUX_SQS_MAX_RECEIVE_COUNT: 'five' })).toThrow(/FLUX_SQS_MAX_RECEIVE_COUNT must be a number/);
    expect(() => loadConfig({ ...valid, FLUX_SQS_WAIT_SECONDS: '21' })).toThrow(/FLUX_SQS_WAIT_SECONDS must be at most 20/);
    expect(() => loadConfig({ ...valid, FLUX_SQS_CREATE_QUEUES: 'maybe' })).toThrow(/FLUX_SQS_CREATE_QUEUES must be true or false/);
    expect(() => loadConfig({ ...valid, AWS_ENDPOINT_URL_S3: 'localhost' })).toThrow(/AWS_ENDPOINT_URL_S3 must be a URL/);
    expect(() => loadConfig({ ...valid, FLUX_ARCHIVE_URI: 'ftp://x/y' })).toThrow(/FLUX_ARCHIVE_URI unsupported scheme "ftp:"/);
    expect(() => loadConfig({ ...valid, FLUX_ARCHIVE_URI: 's3://ab/x' })).toThrow(/FLUX_ARCHIVE_URI "ab" is not a valid S3 bucket name/);
  });

  it('reads FLUX_ARCHIVER_FIELD_COLUMNS, 32 by default, 0 turning field columns off, and names a bad value', () => {
    expect(loadConfig(valid).archiver.fieldColumns).toBe(32);
    expect(loadConfig({ ...valid, FLUX_ARCHIVER_FIELD_COLUMNS: '0' }).archiver.fieldColumns).toBe(0);
    expect(() => loadConfig({ ...valid, FLUX_ARCHIVER_FIELD_COLUMNS: '-1' })).toThrow(/FLUX_ARCHIVER_FIELD_COLUMNS must be at least 0/);
    expect(() => loadConfig({ ...valid, FLUX_ARCHIVER_FIELD_COLUMNS: 'many' })).toThrow(/FLUX_ARCHIVER_FIELD_COLUMNS must be a number/);
  });

  it('reads FLUX_ARCHIVER_SORT, sequence by default, and names a bad value', () => {
    expect(loadConfig(valid).archiver.rowOrder).toBe('sequence');
    expect(loadConfig({ ...valid, FLUX_ARCHIVER_SORT: 'partition_key' }).archiver.rowOrder).toBe('partition_key');
    expect(() => loadConfig({ ...valid, FLUX_ARCHIVER_SORT: 'time' })).toThrow(/FLUX_ARCHIVER_SORT must be one of sequence, partition_key/);
  });

  it('reads FLUX_API_CORS_ORIGINS as a list of origins, empty by default, and names a value that is not an origin', () => {
    expect(loadConfig(valid).http.corsOrigins).toEqual([]);
    expect(loadConfig({ ...valid, FLUX_API_CORS_ORIGINS: 'http://127.0.0.1:7103, https://console.example.com' }).http.corsOrigins).toEqual([
      'http://127.0.0.1:7103',
      'https://console.example.com',
    ]);
    expect(() => loadConfig({ ...valid, FLUX_API_CORS_ORIGINS: 'http://127.0.0.1:7103/console' })).toThrow(/FLUX_API_CORS_ORIGINS "http:\/\/127.0.0.1:7103\/console" is not an origin/);
    expect(() => loadConfig({ ...valid, FLUX_API_CORS_ORIGINS: 'console.example.com' })).toThrow(/FLUX_API_CORS_ORIGINS/);
  });

  it('treats empty values as unset, the way env files write them', () => {
    expect(loadConfig({ ...valid, LOG_LEVEL: '' }).log.level).toBe('info');
  });

  it('prefers a per-service endpoint over AWS_ENDPOINT_URL and defaults to path-style S3 with an endpoint', () => {
    const c = loadConfig({ ...valid, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4572' });
    expect(c.aws.endpoints).toEqual({ kinesis: 'http://127.0.0.1:4566', sqs: 'http://127.0.0.1:4566', s3: 'http://127.0.0.1:4572' });
    expect(c.aws.s3ForcePathStyle).toBe(true);
  });

  it('parses API tokens into roles and rejects unknown roles and short tokens', () => {
    const c = loadConfig({ ...valid, FLUX_API_TOKENS: 'aaaaaaaaaaaaaaaa:query,bbbbbbbbbbbbbbbb:query+replay' });
    expect([...(c.auth.tokens.get('bbbbbbbbbbbbbbbb')?.roles ?? [])]).toEqual(['query', 'replay']);
    expect(() => loadConfig({ ...valid, FLUX_API_TOKENS: 'aaaaaaaaaaaaaaaa:root' })).toThrow(/unknown role "root"/);
    expect(() => loadConfig({ ...valid, FLUX_API_TOKENS: 'short:query' })).toThrow(/at least 16 characters/);
  });

  it('describes every setting it reads', () => {
    const keys = describeSettings().map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'FLUX_ARCHIVE_URI', 'AWS_ENDPOINT_URL_SQS', 'FLUX_API_TOKENS']));
    for (const s of describeSettings()) expect(s.description, s.key).not.toBe('');
  });

  it('builds DATABASE_URL from DATABASE_HOST/PORT/NAME/USER/PASSWORD when it is unset, URL-encoding the password', () => {
    const parts = { DATABASE_HOST: 'db.cluster-x.eu-west-1.rds.amazonaws.com', DATABASE_PORT: '5433', DATABASE_NAME: 'flux', DATABASE_USER: 'flux_admin', DATABASE_PASSWORD: 'p@ss/w:rd%?#' };
    const c = loadConfig({ FLUX_ARCHIVE_URI: valid.FLUX_ARCHIVE_URI, ...parts });
    expect(c.database.url).toBe('postgres://flux_admin:p%40ss%2Fw%3Ard%25%3F%23@db.cluster-x.eu-west-1.rds.amazonaws.com:5433/flux');
    const url = new URL(c.database.url);
    expect(decodeURIComponent(url.password)).toBe(parts.DATABASE_PASSWORD);
    expect(loadDatabaseUrl({ ...parts, DATABASE_PORT: undefined })).toBe('postgres://flux_admin:p%40ss%2Fw%3Ard%25%3F%23@db.cluster-x.eu-west-1.rds.amazonaws.com:5432/flux');
    // DATABASE_URL wins when both are given.
    expect(loadConfig({ ...valid, ...parts }).database.url).toBe(valid.DATABASE_URL);
  });

  it('names each missing database part (not DATABASE_URL) when only some are set', () => {
    expect(issuesOf({ FLUX_ARCHIVE_URI: valid.FLUX_ARCHIVE_URI, DATABASE_HOST: 'db', DATABASE_USER: 'flux' })).toEqual(['DATABASE_NAME', 'DATABASE_PASSWORD']);
    expect(() => loadConfig({ FLUX_ARCHIVE_URI: valid.FLUX_ARCHIVE_URI, DATABASE_HOST: 'db', DATABASE_USER: 'flux', DATABASE_NAME: 'flux' })).toThrow(
      /DATABASE_PASSWORD is required when DATABASE_URL is unset/,
    );
    expect(issuesOf({ FLUX_ARCHIVE_URI: valid.FLUX_ARCHIVE_URI, DATABASE_HOST: 'db', DATABASE_USER: 'u', DATABASE_NAME: 'n', DATABASE_PASSWORD: 'p', DATABASE_PORT: 'x' })).toEqual(['DATABASE_PORT']);
    expect(() => loadDatabaseUrl({ DATABASE_HOST: 'db' })).toThrow(/DATABASE_NAME is required/);
    expect(issuesOf({ FLUX_ARCHIVE_URI: valid.FLUX_ARCHIVE_URI })).toEqual(['DATABASE_URL']);
  });

  it('loads only the database URL for migrations', () => {
    expect(loadDatabaseUrl({ DATABASE_URL: valid.DATABASE_URL })).toBe(valid.DATABASE_URL);
    expect(() => loadDatabaseUrl({})).toThrow(/DATABASE_URL is required/);
  });
});

describe('parseArchiveUri', () => {
  it('accepts s3 and file URIs and normalises trailing slashes', () => {
    expect(parseArchiveUri('s3://bucket-1/a/b/')).toMatchObject({ kind: 's3', bucket: 'bucket-1', prefix: 'a/b' });
    expect(parseArchiveUri('s3://bucket-1')).toMatchObject({ kind: 's3', prefix: '' });
    expect(parseArchiveUri('file:///var/archive/')).toEqual({ kind: 'file', uri: 'file:///var/archive', directory: '/var/archive' });
  });

  it('rejects remote file URIs and garbage', () => {
    expect(parseArchiveUri('file://host/x')).toMatch(/must be local/);
    expect(parseArchiveUri('not a uri')).toMatch(/must be s3:\/\//);
  });
});

describe('console settings', () => {
  it('gives the browser base URLs without a trailing slash, and null for a service not configured', () => {
    const config = loadConfig({ ...valid, FLUX_CONSOLE_CATALOG_URL: 'http://catalog.example:7102/', FLUX_CONSOLE_DIR: '/srv/console' });
    expect(config.console).toEqual({ dir: '/srv/console', urls: { catalog: 'http://catalog.example:7102', replay: null, archiver: null } });
  });

  it('names a console URL that is not a URL', () => {
    expect(() => loadConfig({ ...valid, FLUX_CONSOLE_REPLAY_URL: '127.0.0.1 port 7104' })).toThrow(/FLUX_CONSOLE_REPLAY_URL/);
  });
});
