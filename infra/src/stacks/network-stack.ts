import { Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { InfraConfig } from '../config';
import { acknowledgeNetworkFindings } from './network-stack.nag';

export interface NetworkStackProps extends StackProps {
  config: InfraConfig;
}

/** The tag EMR's managed service policy (AmazonEMRServicePolicy_v2) requires on the subnets and groups it may use. */
export const EMR_MANAGED_TAG = 'for-use-with-amazon-emr-managed-policies';

/**
 * A VPC over two availability zones: public subnets for the load balancer and the NAT gateway, private ones for the
 * tasks, isolated ones for the database. Endpoints keep the archive, queue, stream and secret traffic off the NAT
 * gateway (cheaper per GB, and it keeps working while the NAT does not).
 */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
    });
    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
      Kinesis: ec2.InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
      Ecr: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    };
    for (const [name, service] of Object.entries(endpoints)) {
      this.vpc.addInterfaceEndpoint(name, { service, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, privateDnsEnabled: true });
    }
    if (props.config.enableDrill) {
      for (const subnet of this.vpc.privateSubnets) Tags.of(subnet).add(EMR_MANAGED_TAG, 'true');
    }
    acknowledgeNetworkFindings(this);
  }
}
