import { ConfigError, loadConfig } from '../load-config';

const valid = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/flux', FLUX_ARCHIVE_URI: 's3://flux-archive/archive' };
const A = 'a'.repeat(16);
const B = 'b'.repeat(16);

const tokensOf = (setting: string) => loadConfig({ ...valid, FLUX_API_TOKENS: setting }).auth.tokens;

/** The roles and streams one token of `setting` grants, as arrays (streams undefined = every stream). */
function grantOf(setting: string, token: string) {
  const grant = tokensOf(setting).get(token);
  expect(grant).toBeDefined();
  return { roles: [...(grant?.roles ?? [])], streams: grant?.streams && [...grant.streams] };
}

function messagesOf(setting: string): string[] {
  try {
    loadConfig({ ...valid, FLUX_API_TOKENS: setting });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.key}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('FLUX_API_TOKENS', () => {
  it('grants every stream to a token without @', () => {
    expect(grantOf(`${A}:query+replay`, A)).toEqual({ roles: ['query', 'replay'], streams: undefined });
  });

  it('limits every listed role to the streams after @', () => {
    const setting = `${A}:query@orders+payments, ${B}:query+replay@billing.events_v2`;
    expect(grantOf(setting, A)).toEqual({ roles: ['query'], streams: ['orders', 'payments'] });
    expect(grantOf(setting, B)).toEqual({ roles: ['query', 'replay'], streams: ['billing.events_v2'] });
  });

  it('keeps stream names as written: Kinesis names are case-sensitive', () => {
    expect(grantOf(`${A}:query@Orders`, A).streams).toEqual(['Orders']);
  });

  it('fails naming the key for an invalid stream name, an empty list or an empty name', () => {
    expect(messagesOf(`${A}:query@/etc/passwd`)).toEqual([expect.stringMatching(/^FLUX_API_TOKENS: "\/etc\/passwd" after @ is not a valid Kinesis stream name/)]);
    expect(messagesOf(`${A}:query@`)).toEqual([expect.stringMatching(/^FLUX_API_TOKENS: "" after @ is not a valid/)]);
    expect(messagesOf(`${A}:query@orders++payments`)).toEqual([expect.stringMatching(/^FLUX_API_TOKENS: "" after @/)]);
    expect(messagesOf(`${A}:query@${'x'.repeat(129)}`)).toHaveLength(1);
  });

  it('fails for a token without roles, even when it lists streams', () => {
    expect(messagesOf(`${A}:@orders`)).toEqual([expect.stringMatching(/token:role\+role\[@stream\+stream\]/)]);
    expect(messagesOf(A)).toHaveLength(1);
  });

  it('fails when a token is listed twice instead of letting the second grant win, without echoing the token', () => {
    const messages = messagesOf(`${A}:query@orders,${A}:admin`);
    expect(messages).toEqual([expect.stringMatching(/FLUX_API_TOKENS: a token is listed twice/)]);
    expect(messages[0]).not.toContain(A);
  });
});
