import { acknowledge } from '../nag';
import type { DataStack } from './data-stack';

/** cdk-nag AwsSolutions findings of the data stack that stay, each with why. */
export function acknowledgeDataFindings(stack: DataStack): void {
  acknowledge(stack.archive.logBucket, 'S1', 'This bucket is the destination of the server access logs; logging it into itself would loop.');
  acknowledge(
    stack.apiTokens,
    'SMG4',
    'The API tokens are handed to clients by the operator; rotating them is a token handover (docs/security.md), which a rotation Lambda cannot do. The database secret is rotated.',
  );
}
