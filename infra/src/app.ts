import { App, AppProps, Environment } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraConfig } from './config';
import { AnalyticsStack } from './stacks/analytics-stack';
import { DataStack } from './stacks/data-stack';
import { NetworkStack } from './stacks/network-stack';
import { ServicesStack } from './stacks/services-stack';

/** The CDK feature flags of `cdk.json` (every `@aws-cdk…` context key), which `cdk synth` and the tests both apply. */
export function featureFlags(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(cdkJson.context ?? {}).filter(([key]) => key.startsWith('@aws-cdk')));
}

/**
 * The CDK app with the settings every synth shares (main.ts and the tests): the feature flags of `cdk.json`, so a
 * test synthesizes what `cdk deploy` would. Among them, stack references stay strong (a producer stack cannot drop
 * an output another stack still uses), where the CDK recommends weak ones.
 */
export function createFluxApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...featureFlags(), ...props.context } });
}

export interface FluxStacks {
  network: NetworkStack;
  data: DataStack;
  analytics?: AnalyticsStack;
  services: ServicesStack;
}

/**
 * The stacks of one deployment, in dependency order: network, then the stateful data stack (kept on deletion), the
 * optional analytics stack (Athena workgroup, Drill on EMR), then the stateless services, which can be replaced freely.
 */
export function addFluxStacks(app: App, config: InfraConfig): FluxStacks {
  const env: Environment = { account: config.account, region: config.region };
  const id = (part: string) => `${config.name}-${part}`;
  const network = new NetworkStack(app, id('Network'), { env, config, description: 'flux-capacitor: VPC, flow logs, endpoints' });
  const data = new DataStack(app, id('Data'), { env, config, vpc: network.vpc, description: 'flux-capacitor: archive, streams, queues, database, secrets (retained)' });
  const analytics =
    config.enableAthena || config.enableDrill
      ? new AnalyticsStack(app, id('Analytics'), { env, config, vpc: network.vpc, data, description: 'flux-capacitor: Athena workgroup and Apache Drill on EMR (optional)' })
      : undefined;
  // Drill's logs and views go to the data stack's buckets, which it names without referring to them.
  analytics?.addStackDependency(data);
  const services = new ServicesStack(app, id('Services'), {
    env,
    config,
    vpc: network.vpc,
    data,
    drill: analytics?.drill && { url: analytics.drill.url, securityGroup: analytics.drill.securityGroup },
    description: 'flux-capacitor: the four services on ECS Fargate, load balancer, scaling, alarms',
  });
  // Explicit, though references imply most of it: the streams the services name must exist before they start.
  services.addStackDependency(data);
  return { network, data, analytics, services };
}
