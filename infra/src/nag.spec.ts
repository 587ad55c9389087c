import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { synthFlux } from './testing/synth-fixture';

/** Every AwsSolutions acknowledgement under `scope` (aws-cdk-lib adds a few of its own CloudFormation-Validate ones). */
function acknowledgements(scope: IConstruct): { id: string; reason: string; path: string }[] {
  return scope.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason, path: c.node.path }))),
    )
    .filter((a) => a.id.includes('AwsSolutions'));
}

describe.each([
  ['the default deployment', {}],
  ['a deployment with Athena and Drill on EMR', { enableAthena: true, enableDrill: true }],
  ['a deployment with the PostgreSQL endpoint open to anyone', { pgWire: { tlsSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flux-pg-tls-AbCdEf' } }],
])('cdk-nag AwsSolutions on %s', (_name, overrides) => {
  const { app } = synthFlux(overrides);
  // Synthesize first, as `cdk synth` does before its validation plugins run (cross-stack exports appear then).
  app.synth();
  const report = new AwsSolutionsChecks(app).validateScope(app);

  it('reports no finding that is not acknowledged', () => {
    const open = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(open).toEqual([]);
  });

  it('acknowledges with a reason that says why, never wholesale for a stack or the app', () => {
    const all = acknowledgements(app);
    expect(all.length).toBeGreaterThan(0);
    for (const a of all) {
      expect(a.id, a.path).toMatch(/^Annotation::AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThan(60);
      // On a resource or its construct: never on a stack or the app, where it would hide findings not yet made.
      expect(a.path.split('/').length, `${a.id} at ${a.path}`).toBeGreaterThan(1);
    }
  });
});

it('finds what an acknowledgement hides: the check is live', () => {
  const { app, stacks } = synthFlux();
  // A bucket with none of the settings the data stack gives its own.
  new Bucket(stacks.data, 'Careless');
  const rules = new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName);
  expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
});
