import { acknowledge } from '../nag';
import type { ServicesStack } from './services-stack';

/** cdk-nag AwsSolutions findings of the services stack that stay, each with why. */
export function acknowledgeServicesFindings(stack: ServicesStack, wildcards: { archiveObjects: string; resultObjects: string; glueTables: string }): void {
  acknowledge(
    stack.loadBalancerSecurityGroup,
    'EC23',
    'The load balancer is the public entry of the query API and the console: HTTPS (and HTTP, redirected to HTTPS) from allowedCidrs, default anywhere. Every API request authenticates with a bearer token.',
  );
  for (const svc of Object.values(stack.services)) {
    const task = svc.service.taskDefinition;
    acknowledge(task, 'ECS2', 'The environment holds non-secret settings only (services-stack.spec.ts checks the names); the database credentials and API tokens are ECS secrets from Secrets Manager.');
    acknowledge(task.obtainExecutionRole(), 'IAM5[Resource::*]', 'ecr:GetAuthorizationToken has no resource to scope to; image pulls are limited to the service repository.');
    acknowledge(svc.taskRole, `IAM5[Resource::${wildcards.archiveObjects}]`, 'Archive objects are created continuously under the archive prefix; the grant stops at that prefix (read, and write for the archiver only).');
  }
  acknowledge(stack.services['query-gateway'].taskRole, `IAM5[Resource::${wildcards.resultObjects}]`, 'Query results are stored under the results prefix by query id, and expire; the gateway may write nowhere else.');
  acknowledge(stack.services.catalog.taskRole, `IAM5[Resource::${wildcards.glueTables}]`, 'The catalog creates one table per stream as streams appear; the grant is limited to the tables of its own Glue database.');
}
