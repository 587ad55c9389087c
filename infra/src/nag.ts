import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Prefix of the rule ids of the cdk-nag pack every synth runs (AwsSolutionsChecks). */
export const NAG_PACK = 'AwsSolutions';

/**
 * Acknowledges one cdk-nag finding on `scope` and everything under it. `finding` is the exact rule id, with the
 * finding in brackets where the rule reports several (`IAM5[Action::s3:GetObject*]`): cdk-nag 3 has no prefix match,
 * so each wildcard is looked at and named on its own. The reason says why the finding stays; a test holds it to a
 * sentence.
 */
export function acknowledge(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${NAG_PACK}-${finding}`, reason });
}

/**
 * How cdk-nag writes a resource ARN in a finding id: pseudo parameters as `<AWS::AccountId>`. Only for ARNs built
 * from names and pseudo parameters (names.ts); an ARN holding another resource's attribute has no stable finding id.
 */
export function nagResource(stack: Stack, arn: string): string {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if (typeof v.Ref === 'string') return `<${v.Ref}>`;
      if (Array.isArray(v['Fn::Join'])) {
        const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
        return parts.map(render).join(sep);
      }
    }
    throw new Error(`no finding id for ${JSON.stringify(value)}: build the ARN from names and pseudo parameters`);
  };
  return render(stack.resolve(arn));
}
