import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPemSetting } from './pem-setting';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('readPemSetting', () => {
  it('takes PEM text as it is (a secret ECS put into the environment)', () => {
    expect(readPemSetting('FLUX_PG_TLS_CERT', PEM).toString()).toBe(PEM);
    expect(readPemSetting('FLUX_PG_TLS_CERT', `\n${PEM}`).toString()).toBe(`\n${PEM}`);
  });

  it('reads a file given by its path', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pem-')), 'cert.pem');
    writeFileSync(file, PEM);
    expect(readPemSetting('FLUX_PG_TLS_CERT', file).toString()).toBe(PEM);
  });

  it('names the setting and the path when the file cannot be read', () => {
    expect(() => readPemSetting('FLUX_PG_TLS_KEY', '/nonexistent/key.pem')).toThrow(/^FLUX_PG_TLS_KEY: cannot read \/nonexistent\/key\.pem \(ENOENT\)/);
  });
});
