import { Queues } from '@flux-capacitor/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const template = readFileSync(join(__dirname, 'cloudformation/flux-capacitor.yaml'), 'utf8');

describe('CloudFormation template', () => {
  it.each(Object.values(Queues))('declares the %s queue, its dead-letter queue and the redrive between them', (queue) => {
    expect(template).toContain(`QueueName: !Sub '\${QueuePrefix}${queue}'`);
    expect(template).toContain(`QueueName: !Sub '\${QueuePrefix}${queue}-dlq'`);
  });

  it('gives every queue a redrive policy with the configured receive count', () => {
    const queues = template.match(/QueueName: !Sub '\$\{QueuePrefix\}[a-z-]+'\n/g) ?? [];
    const mainQueues = queues.filter((q) => !q.includes('-dlq'));
    expect((template.match(/maxReceiveCount: !Ref MaxReceiveCount/g) ?? []).length).toBe(mainQueues.length);
  });

  it('lets the query gateway write and delete under the results prefix only, which a lifecycle rule expires', () => {
    const gateway = template.slice(template.indexOf('  QueryGatewayPolicy:'));
    const writes = gateway.match(/Action: \[s3:PutObject[^\]]*\]\n\s+Resource: (.*)/);
    expect(writes?.[1]).toBe("!Sub '${ArchiveBucket.Arn}/${ResultsKeyPrefix}*'");
    expect(template).toMatch(/- Id: expire-query-results\n\s+Status: Enabled\n\s+Prefix: !Ref ResultsKeyPrefix/);
  });
});
