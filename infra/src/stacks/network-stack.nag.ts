import { acknowledge } from '../nag';
import type { NetworkStack } from './network-stack';

/** cdk-nag AwsSolutions findings of the network stack that stay, each with why. */
export function acknowledgeNetworkFindings(stack: NetworkStack): void {
  for (const child of stack.vpc.node.children) {
    if (child.node.tryFindChild('SecurityGroup')) {
      acknowledge(
        child,
        'EC23',
        "The interface endpoint's group admits HTTPS from the VPC's own CIDR only; cdk-nag cannot resolve the CIDR (an Fn::GetAtt) and reports it as open.",
      );
    }
  }
}
