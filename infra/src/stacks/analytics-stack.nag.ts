import { acknowledge } from '../nag';
import type { AnalyticsStack } from './analytics-stack';

/** cdk-nag AwsSolutions findings of the analytics stack that stay, each with why. */
export function acknowledgeAnalyticsFindings(stack: AnalyticsStack, wildcards: { archiveObjects: string; viewObjects: string; emrLogs: string; glueTables: string }): void {
  const drill = stack.drill;
  if (!drill) return;
  acknowledge(
    drill.serviceRole,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2]',
    'The EMR service role policy AWS maintains (EMR "Service role"); it only acts on resources tagged for-use-with-amazon-emr-managed-policies, which only the Drill subnets and groups carry.',
  );
  acknowledge(
    drill.instanceRole,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
    'The AWS managed policy for SSM Session Manager, the only way onto the nodes (no SSH key); it grants the SSM agent its channel, no data access.',
  );
  acknowledge(
    drill.cluster,
    'EMR4',
    'Local disks are encrypted: the security configuration sets EncryptionConfiguration.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration with a KMS key (analytics-stack.spec.ts checks it); cdk-nag looks for those keys one level up.',
  );
  acknowledge(drill.cluster, 'EMR5', "In-transit TLS needs a certificate bundle the operator provides; the cluster sits in private subnets, and only the gateway's and catalog's group reach Drill's port.");
  acknowledge(drill.cluster, 'EMR6', 'No SSH key pair and no Kerberos: nobody logs in to the nodes; operators use SSM Session Manager, and Drill is reached only from the services over the VPC.');
  acknowledge(drill.instanceRole, `IAM5[Resource::${wildcards.archiveObjects}]`, 'Drill reads every archive object under the archive prefix, and nothing outside it.');
  acknowledge(drill.instanceRole, `IAM5[Resource::${wildcards.viewObjects}]`, "The catalog's Drill views live under their own prefix, the only place Drill may write.");
  acknowledge(drill.instanceRole, `IAM5[Resource::${wildcards.emrLogs}]`, 'EMR writes its node logs under the emr/ prefix of the log bucket, named by cluster and node.');
  acknowledge(drill.instanceRole, `IAM5[Resource::${wildcards.glueTables}]`, "The Hive metastore reads the tables of the catalog's Glue database, read-only.");
}
