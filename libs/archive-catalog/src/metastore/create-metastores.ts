import { GlueClient } from '@aws-sdk/client-glue';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CatalogConfig } from '@flux-capacitor/config';
import { DrillViewSync } from './drill-view-sync';
import { GlueSync } from './glue-sync';
import { HiveMetastoreSync } from './hive-metastore-sync';
import type { MetastoreSync } from './metastore.types';

/** The metastores the configuration enables (Hive, Glue, Drill views), in the order they are synced. */
export function createMetastores(catalog: CatalogConfig, aws: { region: string }): MetastoreSync[] {
  const out: MetastoreSync[] = [];
  if (catalog.hive) out.push(new HiveMetastoreSync(catalog.hive.host, catalog.hive.port, catalog.hive.database));
  if (catalog.glue) {
    // Real AWS uses the SDK's default credential chain; a loopback AWS_ENDPOINT_URL_GLUE (an emulator such as
    // moto or LocalStack) accepts any credentials, like the other emulated services (see @flux-capacitor/aws).
    const endpoint = catalog.glue.endpoint;
    const loopback = endpoint !== undefined && /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?/.test(endpoint);
    const client = new GlueClient({
      region: aws.region,
      endpoint,
      credentials: loopback ? { accessKeyId: 'flux-local', secretAccessKey: 'flux-local' } : undefined,
      requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, socketTimeout: 30000, requestTimeout: 60000, throwOnRequestTimeout: true }),
    });
    out.push(new GlueSync(client, catalog.glue.database, catalog.glue.catalogId));
  }
  if (catalog.drill) out.push(new DrillViewSync(catalog.drill.url, catalog.drill.viewSchema, catalog.drill.archiveSchema));
  return out;
}
