import { Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emr from 'aws-cdk-lib/aws-emr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { glueDatabaseArns } from '../names';
import { EMR_MANAGED_TAG } from '../stacks/network-stack';

export interface DrillClusterProps {
  vpc: ec2.IVpc;
  /** Buckets by name (names.ts), not as the data stack's constructs. */
  archiveBucket: s3.IBucket;
  archivePrefix: string;
  logBucket: s3.IBucket;
  glueDatabase: string;
  releaseLabel: string;
  drillVersion: string;
  instanceType: string;
  coreNodes: number;
}

/** Where the catalog keeps its Drill views (the `s3.views` workspace), beside the archive, not in it. */
export const DRILL_VIEWS_PREFIX = 'drill-views';
export const DRILL_PORT = 8047;

/**
 * Apache Drill on EMR: the modern form of the original tool's `launch-cluster` and bootstrap actions. Drill is not an
 * EMR application, so a bootstrap action installs it on every node and starts the drillbits once EMR's ZooKeeper is
 * up (bootstrap actions run before applications install). Its `s3` storage plugin reads the archive with the
 * instance profile (read-only on the archive; read-write only on the views prefix) and its `hive` plugin reads the
 * primary's Hive metastore, which EMR backs with the Glue catalog the catalog service syncs.
 */
export class DrillCluster extends Construct {
  readonly cluster: emr.CfnCluster;
  /** The primary's web/REST endpoint, for FLUX_DRILL_URL. */
  readonly url: string;
  /** The primary's group; the services stack lets the gateway and the catalog in on DRILL_PORT. */
  readonly securityGroup: ec2.SecurityGroup;
  readonly instanceRole: iam.Role;
  readonly serviceRole: iam.Role;

  constructor(scope: Construct, id: string, readonly props: DrillClusterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const group = (name: string) => {
      const sg = new ec2.SecurityGroup(this, name, { vpc: props.vpc, description: `flux-capacitor Drill on EMR: ${name}`, allowAllOutbound: true });
      // AmazonEMRServicePolicy_v2 only touches resources carrying this tag.
      Tags.of(sg).add(EMR_MANAGED_TAG, 'true');
      return sg;
    };
    this.securityGroup = group('Primary');
    const core = group('Core');
    const serviceAccess = group('ServiceAccess');

    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Drill on EMR nodes',
      // Operators reach the nodes through SSM Session Manager: there is no SSH key.
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    this.instanceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.archiveBucket.arnForObjects(`${props.archivePrefix}/*`)] }));
    this.instanceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [props.archiveBucket.arnForObjects(`${DRILL_VIEWS_PREFIX}/*`)] }));
    this.instanceRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.archiveBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [props.archivePrefix, `${props.archivePrefix}/*`, DRILL_VIEWS_PREFIX, `${DRILL_VIEWS_PREFIX}/*`] } },
      }),
    );
    this.instanceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.logBucket.arnForObjects('emr/*')] }));
    this.instanceRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resources: glueDatabaseArns(stack, props.glueDatabase),
      }),
    );
    const instanceProfile = new iam.CfnInstanceProfile(this, 'InstanceProfile', { roles: [this.instanceRole.roleName] });

    this.serviceRole = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('elasticmapreduce.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEMRServicePolicy_v2')],
    });
    this.serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [this.instanceRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }));

    const diskKey = new kms.Key(this, 'DiskKey', { enableKeyRotation: true, description: 'Drill on EMR local disks' });
    diskKey.grant(this.instanceRole, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
    diskKey.grant(this.serviceRole, 'kms:CreateGrant', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo');
    const securityConfiguration = new emr.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      securityConfiguration: {
        EncryptionConfiguration: {
          EnableInTransitEncryption: false,
          EnableAtRestEncryption: true,
          AtRestEncryptionConfiguration: {
            S3EncryptionConfiguration: { EncryptionMode: 'SSE-S3' },
            LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: diskKey.keyArn, EnableEbsEncryption: true },
          },
        },
      },
    });

    const bootstrap = new s3assets.Asset(this, 'Bootstrap', { path: join(__dirname, '../../assets/drill-bootstrap.sh') });
    // The script object only (grantRead would allow GetObject* and List* on the whole asset bucket).
    this.instanceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bootstrap.bucket.arnForObjects(bootstrap.s3ObjectKey)] }));

    this.cluster = new emr.CfnCluster(this, 'Cluster', {
      name: `${stack.stackName}-drill`,
      releaseLabel: props.releaseLabel,
      applications: [{ name: 'Hadoop' }, { name: 'Hive' }, { name: 'ZooKeeper' }],
      // EMR's Hive metastore on the primary reads and writes the Glue catalog: the tables the catalog syncs.
      configurations: [{ classification: 'hive-site', configurationProperties: { 'hive.metastore.client.factory.class': 'com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory' } }],
      instances: {
        masterInstanceGroup: { instanceCount: 1, instanceType: props.instanceType, market: 'ON_DEMAND' },
        coreInstanceGroup: { instanceCount: props.coreNodes, instanceType: props.instanceType, market: 'ON_DEMAND' },
        ec2SubnetId: props.vpc.privateSubnets[0].subnetId,
        emrManagedMasterSecurityGroup: this.securityGroup.securityGroupId,
        emrManagedSlaveSecurityGroup: core.securityGroupId,
        serviceAccessSecurityGroup: serviceAccess.securityGroupId,
        keepJobFlowAliveWhenNoSteps: true,
        terminationProtected: false,
      },
      jobFlowRole: instanceProfile.ref,
      serviceRole: this.serviceRole.roleArn,
      securityConfiguration: securityConfiguration.ref,
      logUri: props.logBucket.s3UrlForObject('emr/'),
      bootstrapActions: [
        {
          name: 'install-apache-drill',
          scriptBootstrapAction: {
            path: bootstrap.s3ObjectUrl,
            args: [props.drillVersion, props.archiveBucket.bucketName, props.archivePrefix, DRILL_VIEWS_PREFIX, stack.region],
          },
        },
      ],
    });
    this.cluster.addResourceDependency(instanceProfile);
    // Inside a private subnet, MasterPublicDNS is the primary's private DNS name.
    this.url = `http://${this.cluster.attrMasterPublicDns}:${DRILL_PORT}`;
  }
}
