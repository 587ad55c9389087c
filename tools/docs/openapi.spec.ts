import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_SERVICES, GENERATED_DIR, generatedTypes } from './openapi';

describe('generated API client types', () => {
  it.each(Object.keys(API_SERVICES))('libs/api-client/src/generated/%s.ts matches the service (run `npm run docs:openapi` after changing an endpoint)', async (service) => {
    expect(readFileSync(join(GENERATED_DIR, `${service}.ts`), 'utf8')).toBe(await generatedTypes(service));
  });
});
