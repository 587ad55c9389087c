import { resolvePostgresTls } from './postgres-tls';

const BASE = 'postgres://flux:p%40ss%2Fw0rd@db.example.com:5432/flux';

describe('resolvePostgresTls', () => {
  it('takes the TLS parameters out of the URL (pg would read them its own way) and keeps the rest as given', () => {
    const { url, ssl } = resolvePostgresTls(`${BASE}?sslmode=require&application_name=flux`);
    expect(url).toBe(`${BASE}?application_name=flux`);
    expect(ssl).toEqual({ rejectUnauthorized: false });
  });

  it('is plain text without sslmode, with disable, and with DATABASE_SSL_MODE=disable over the URL', () => {
    expect(resolvePostgresTls(BASE).ssl).toBe(false);
    expect(resolvePostgresTls(`${BASE}?sslmode=disable`).ssl).toBe(false);
    expect(resolvePostgresTls(`${BASE}?sslmode=verify-full`, { mode: 'disable' }).ssl).toBe(false);
  });

  it('verifies the chain and the name for verify-full, only the chain for verify-ca, with Node trust when no CA is given', () => {
    expect(resolvePostgresTls(`${BASE}?sslmode=verify-full`).ssl).toEqual({ rejectUnauthorized: true });
    const ca = resolvePostgresTls(`${BASE}?sslmode=verify-ca`).ssl as { checkServerIdentity?: () => unknown; rejectUnauthorized: boolean };
    expect(ca.rejectUnauthorized).toBe(true);
    expect(ca.checkServerIdentity?.()).toBeUndefined();
    expect(resolvePostgresTls(`${BASE}?sslmode=verify-full&sslrootcert=system`).ssl).toEqual({ rejectUnauthorized: true });
  });

  it('refuses what it cannot honour, naming it: fallback modes, client certificates, node-postgres switches', () => {
    expect(() => resolvePostgresTls(`${BASE}?sslmode=prefer`)).toThrow(/^DATABASE_URL: sslmode=prefer is not supported: use disable, require, verify-ca, verify-full/);
    expect(() => resolvePostgresTls(`${BASE}?sslmode=verify_full`)).toThrow(/sslmode=verify_full is not supported/);
    expect(() => resolvePostgresTls(`${BASE}?sslmode=require&sslcert=/c.pem`)).toThrow(/sslcert \(client certificates\) is not supported/);
    expect(() => resolvePostgresTls(`${BASE}?ssl=true`)).toThrow(/ssl= is node-postgres' own parameter; say sslmode=/);
    expect(() => resolvePostgresTls(`${BASE}?sslmode=require&uselibpqcompat=true`)).toThrow(/uselibpqcompat=/);
  });
});
