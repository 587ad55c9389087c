import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { addFluxStacks, createFluxApp } from './app';
import { parseInfraConfig } from './config';

// `cdk synth|deploy -c config=path/to/config.json` (infra/README.md); the example deploys nothing real.
const app = createFluxApp();
const configPath = (app.node.tryGetContext('config') as string | undefined) ?? 'config/example.json';
addFluxStacks(app, parseInfraConfig(JSON.parse(readFileSync(configPath, 'utf8'))));
// Every synth runs the AWS Solutions rules; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
