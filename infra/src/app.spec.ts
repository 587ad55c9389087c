import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { createFluxApp, featureFlags } from './app';
import { synthFlux } from './testing/synth-fixture';

/** What `cdk init` writes into a new project's cdk.json for the installed aws-cdk-lib. */
const recommended = JSON.parse(readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8')) as Record<string, unknown>;

/** Where this app departs from the recommendation, and why (docs/operations.md, "Upgrading"). */
const deviations: Record<string, { value: unknown; reason: string }> = {
  '@aws-cdk/core:defaultCrossStackReferences': {
    value: 'strong',
    reason: 'the services stack reads the data stack: a strong reference (an export) stops a deploy from removing what the other stack still uses',
  },
};

describe('CDK feature flags (infra/cdk.json)', () => {
  const flags = featureFlags();

  it('sets every flag aws-cdk-lib recommends for its installed version, with the recommended value or a stated deviation', () => {
    const expected = Object.fromEntries(Object.entries(recommended).map(([flag, value]) => [flag, deviations[flag]?.value ?? value]));
    expect(flags).toEqual(expected);
    for (const d of Object.values(deviations)) expect(d.reason.length).toBeGreaterThan(40);
  });

  it('applies them to every app the tests and `cdk synth` create', () => {
    const app = createFluxApp();
    for (const [flag, value] of Object.entries(flags)) expect(app.node.tryGetContext(flag), flag).toEqual(value);
    // a test may still override one
    expect(createFluxApp({ context: { '@aws-cdk/aws-iam:minimizePolicies': false } }).node.tryGetContext('@aws-cdk/aws-iam:minimizePolicies')).toBe(false);
  });

  describe('in the synthesized stacks', () => {
    const { stacks } = synthFlux();
    const network = Template.fromStack(stacks.network);
    const data = Template.fromStack(stacks.data);
    const services = Template.fromStack(stacks.services);

    it('empties the VPC default security group (aws-ec2:restrictDefaultSecurityGroup)', () => {
      network.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    });

    it('lets S3 server access logs in through the bucket policy, not the log-delivery ACL (aws-s3:serverAccessLogsUseBucketPolicy)', () => {
      const logBuckets = Object.values(data.findResources('AWS::S3::Bucket')).filter((b) => !b.Properties.LoggingConfiguration);
      expect(logBuckets.length).toBeGreaterThan(0);
      for (const b of logBuckets) expect(b.Properties.AccessControl).toBeUndefined();
      const principals = Object.values(data.findResources('AWS::S3::BucketPolicy')).flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as { Principal?: { Service?: string } }[]).map((s) => s.Principal?.Service),
      );
      expect(principals).toContain('logging.s3.amazonaws.com');
    });

    it('leaves ECS deployments to the circuit breaker, without an empty deployment-alarm block (aws-ecs:removeDefaultDeploymentAlarm)', () => {
      const ecsServices = Object.values(services.findResources('AWS::ECS::Service'));
      expect(ecsServices.length).toBe(4);
      for (const s of ecsServices) {
        expect(s.Properties.DeploymentConfiguration.Alarms).toBeUndefined();
        expect(s.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
      }
    });
  });
});
