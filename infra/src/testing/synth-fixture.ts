import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IRole } from 'aws-cdk-lib/aws-iam';
import { addFluxStacks, createFluxApp, FluxStacks } from '../app';
import { InfraConfig, parseInfraConfig } from '../config';

/** A deployment as the tests see it: one imported stream by ARN, one by name, a replay target and a stream that is not. */
export const TEST_CONFIG_INPUT = {
  name: 'Flux',
  account: '123456789012',
  region: 'eu-west-1',
  streams: [
    { name: 'orders', arn: 'arn:aws:kinesis:eu-west-1:210987654321:stream/orders', shardCount: 4, retentionHours: 48 },
    { name: 'clicks', existing: true, shardCount: 2 },
    { name: 'orders-replay', shardCount: 1, archive: false },
    { name: 'sandbox', shardCount: 1, archive: false },
  ],
  replayTargets: ['orders-replay'],
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  alarmEmail: 'ops@example.com',
};

export function synthFlux(overrides: Partial<Record<keyof InfraConfig, unknown>> = {}): { config: InfraConfig; stacks: FluxStacks; app: ReturnType<typeof createFluxApp> } {
  const config = parseInfraConfig({ ...TEST_CONFIG_INPUT, ...overrides });
  const app = createFluxApp();
  const stacks = addFluxStacks(app, config);
  return { config, stacks, app };
}

/**
 * A resolved CloudFormation value as text, so policies read like ARNs: `{Ref: X}` as `<X>`, an import as
 * `<import:…>`, a GetAtt as `<Logical.Attr>`.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return `<${v.Ref}>`;
  if (v['Fn::ImportValue']) return `<import:${render(v['Fn::ImportValue'])}>`;
  if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  return JSON.stringify(value);
}

export interface Statement {
  actions: string[];
  resources: string[];
  condition?: unknown;
}

/** Every Allow statement of the policies attached to `role`, actions and resources as rendered text. */
export function statementsOf(stack: Stack, role: IRole): Statement[] {
  const roleId = stack.getLogicalId(role.node.defaultChild as CfnElement);
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as unknown[]).some((r) => render(r) === `<${roleId}>`),
  );
  return policies.flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map((s) => {
      expect(s.Effect).toBe('Allow');
      return {
        actions: ([] as string[]).concat(s.Action as string[]),
        resources: ([] as unknown[]).concat(s.Resource).map(render),
        ...(s.Condition ? { condition: s.Condition } : {}),
      };
    }),
  );
}

/** The resources `role` may call `action` on (an action matched exactly or by a trailing `*`). */
export function resourcesFor(statements: Statement[], action: string): string[] {
  const matches = (pattern: string) => pattern === action || (pattern.endsWith('*') && action.startsWith(pattern.slice(0, -1)));
  return statements.filter((s) => s.actions.some(matches)).flatMap((s) => s.resources);
}
