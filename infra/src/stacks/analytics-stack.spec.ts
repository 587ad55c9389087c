import { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ServiceName } from '../constructs/flux-service';
import { EMR_MANAGED_TAG } from './network-stack';
import { render, resourcesFor, statementsOf, synthFlux } from '../testing/synth-fixture';
import { AnalyticsStack } from './analytics-stack';

function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`no ${what}`);
  return value;
}
const analyticsOf = (stacks: { analytics?: AnalyticsStack }) => defined(stacks.analytics, 'analytics stack');

describe('analytics stack', () => {
  it('exists only when Athena or Drill is enabled', () => {
    expect(synthFlux().stacks.analytics).toBeUndefined();
    expect(synthFlux({ enableAthena: true }).stacks.analytics).toBeDefined();
  });

  describe('Athena', () => {
    const template = Template.fromStack(analyticsOf(synthFlux({ enableAthena: true }).stacks));

    it('adds a workgroup whose encrypted result location and scan limit users cannot override', () => {
      template.hasResourceProperties('AWS::Athena::WorkGroup', {
        WorkGroupConfiguration: Match.objectLike({
          EnforceWorkGroupConfiguration: true,
          BytesScannedCutoffPerQuery: 100 * 1024 ** 3,
          ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } }),
        }),
      });
      template.resourceCountIs('AWS::EMR::Cluster', 0);
    });
  });

  describe('Drill on EMR', () => {
    const { stacks } = synthFlux({ enableDrill: true });
    const analytics = analyticsOf(stacks);
    const template = Template.fromStack(analytics);
    const drill = defined(analytics.drill, 'Drill cluster');

    it('bootstraps Drill onto an EMR cluster with Hive (on the Glue catalog) and ZooKeeper, logging to S3', () => {
      template.hasResourceProperties('AWS::EMR::Cluster', {
        Applications: [{ Name: 'Hadoop' }, { Name: 'Hive' }, { Name: 'ZooKeeper' }],
        BootstrapActions: [Match.objectLike({ Name: 'install-apache-drill', ScriptBootstrapAction: Match.objectLike({ Args: Match.arrayWith(['1.22.0', 'archive']) }) })],
        Configurations: [Match.objectLike({ Classification: 'hive-site' })],
        LogUri: Match.anyValue(),
      });
    });

    it('encrypts the local disks with a KMS key in its security configuration', () => {
      const config = Object.values(template.findResources('AWS::EMR::SecurityConfiguration'))[0].Properties.SecurityConfiguration;
      expect(config.EncryptionConfiguration).toMatchObject({ EnableAtRestEncryption: true, AtRestEncryptionConfiguration: { LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms' } } });
    });

    it('tags its security groups and subnets for the EMR managed policy', () => {
      const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup'));
      expect(groups.filter((g) => (g.Properties.Tags ?? []).some((t: { Key: string }) => t.Key === EMR_MANAGED_TAG))).toHaveLength(3);
      const subnets = Object.values(Template.fromStack(stacks.network).findResources('AWS::EC2::Subnet')).filter((s) => (s.Properties.Tags as { Key: string }[]).some((t) => t.Key === EMR_MANAGED_TAG));
      expect(subnets).toHaveLength(2);
    });

    it('lets the nodes read the archive and write only the views prefix', () => {
      const statements = statementsOf(analytics, drill.instanceRole);
      expect(resourcesFor(statements, 's3:PutObject').sort()).toEqual(['arn:aws:s3:::flux-<AWS::AccountId>-eu-west-1/drill-views/*', 'arn:aws:s3:::flux-logs-<AWS::AccountId>-eu-west-1/emr/*']);
      expect(resourcesFor(statements, 'glue:CreateTable')).toEqual([]);
    });

    it('points the gateway and the catalog at Drill, and lets only them reach its port', () => {
      const services = Template.fromStack(stacks.services);
      const env = (name: ServiceName) => {
        const id = stacks.services.getLogicalId(stacks.services.services[name].service.taskDefinition.node.defaultChild as CfnElement);
        const container = services.toJSON().Resources[id].Properties.ContainerDefinitions[0];
        return Object.fromEntries((container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, render(e.Value)]));
      };
      expect(env('query-gateway').FLUX_DRILL_URL).toMatch(/^http:\/\/<import:.*MasterPublicDNS.*>:8047$/);
      expect(env('catalog')).toMatchObject({ FLUX_CATALOG_DRILL_VIEWS: 'true', FLUX_DRILL_SCHEMA: 's3.views' });
      expect(env('archiver').FLUX_DRILL_URL).toBeUndefined();
      services.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8047, ToPort: 8047, GroupId: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('DrillPrimary') }) });
    });
  });
});
