import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledge, nagResource } from '../nag';
import type { ServicesStack } from './services-stack';

/** cdk-nag AwsSolutions findings of the services stack that stay, each with why. */
export function acknowledgeServicesFindings(stack: ServicesStack, wildcards: { archiveObjects: string; resultObjects: string; compactedObjects: string; glueTables: string }): void {
  acknowledge(
    stack.loadBalancerSecurityGroup,
    'EC23',
    'The load balancer is the public entry of the query API and the console: HTTPS (and HTTP, redirected to HTTPS) from allowedCidrs, default anywhere. Every API request authenticates with a bearer token.',
  );
  for (const svc of Object.values(stack.services)) {
    const task = svc.service.taskDefinition;
    acknowledge(task, 'ECS2', 'The environment holds non-secret settings only (services-stack.spec.ts checks the names); the database credentials and API tokens are ECS secrets from Secrets Manager.');
    acknowledge(task.obtainExecutionRole(), 'IAM5[Resource::*]', 'ecr:GetAuthorizationToken has no resource to scope to; image pulls are limited to the service repository.');
    acknowledge(svc.taskRole, `IAM5[Resource::${wildcards.archiveObjects}]`, 'Archive objects are created continuously under the archive prefix; the grant stops at that prefix (read; write for the archiver; delete for the catalog, whose compaction replaces objects).');
  }
  acknowledge(stack.services['query-gateway'].taskRole, `IAM5[Resource::${wildcards.resultObjects}]`, 'Query results are stored under the results prefix by query id, and expire; the gateway may write nowhere else.');
  acknowledge(stack.services.catalog.taskRole, `IAM5[Resource::${wildcards.compactedObjects}]`, "Compaction of closed hours writes its outputs under each stream's _compacted/ folder, by hour and compaction; the catalog may write nowhere else.");
  acknowledge(stack.services.catalog.taskRole, `IAM5[Resource::${wildcards.glueTables}]`, 'The catalog creates one table per stream as streams appear; the grant is limited to the tables of its own Glue database.');

  if (stack.pgWire) {
    acknowledge(
      stack.pgWire.securityGroup,
      'EC23',
      'The PostgreSQL endpoint is for SQL tools outside the VPC, from pgWire.allowedCidrs (default allowedCidrs, anywhere): the gateway requires TLS from every remote client and an API token as the password.',
    );
    acknowledge(
      stack.pgWire.loadBalancer,
      'ELB2',
      'Network load balancers write access logs for TLS listeners only; this one passes TCP through so that the gateway does TLS (PostgreSQL asks for TLS inside its protocol). The gateway logs refused and failed connections.',
    );
  }

  acknowledgeMigrationFindings(stack);
  acknowledge(
    stack.restartOnRotation,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The AWS managed policy that lets the restart function write its own CloudWatch logs, nothing else; its one other grant is ecs:UpdateService on the four services.',
  );
}

/** The one-off migration task and the custom resource (Lambda + provider framework) that runs it before a rollout. */
function acknowledgeMigrationFindings(stack: ServicesStack): void {
  const m = stack.migrations;
  acknowledge(m.taskDefinition, 'ECS2', 'The environment holds the database host, port and name only; the credentials are ECS secrets from Secrets Manager.');
  acknowledge(m.taskDefinition.obtainExecutionRole(), 'IAM5[Resource::*]', 'ecr:GetAuthorizationToken has no resource to scope to; image pulls are limited to the CLI repository.');
  acknowledge(
    m,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The AWS managed policy that lets a function write its own CloudWatch logs, nothing else; used by the two functions and the provider framework.',
  );
  const arnOf = (c: IConstruct) => `<${Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement)}.Arn>:*`;
  const framework = (name: string) => m.provider.node.findChild(name);
  const invoked = [...m.functions, framework('framework-isComplete'), framework('framework-onTimeout')];
  for (const fn of invoked) {
    acknowledge(m, `IAM5[Resource::${arnOf(fn)}]`, 'lambda:InvokeFunction on the versions and aliases (`:*`) of one function of this construct, as the provider framework grants it.');
  }
  const describeTasks = nagResource(stack, stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${stack.cluster.clusterName}/*` }));
  acknowledge(m, `IAM5[Resource::${describeTasks}]`, 'Task ids are only known once RunTask returns; the grant covers tasks of this cluster only, and DescribeTasks reads, never changes.');
  acknowledge(
    m.provider,
    'IAM5[Resource::*]',
    "The waiter state machine's log delivery: Step Functions' logs:CreateLogDelivery, ListLogDeliveries and related actions accept no resource (Step Functions \"Logging using CloudWatch Logs\").",
  );
  acknowledge(m.provider, 'SF2', 'The waiter state machine of the provider framework only polls one function; its execution history is logged, X-Ray tracing would add nothing.');
}
