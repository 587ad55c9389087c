import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildApp, WORKSPACE_ROOT } from './build-app';

/**
 * No container engine runs here, so the image files are checked against what `npm run build` produces: every
 * Dockerfile COPYs only build output that exists, every image's command names a built entry point, and the compose
 * file wires the services to them. The e2e test tools/build/test/e2e/built-services.spec.ts starts those entry points.
 */

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile stages with their instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [from, , name] = args.split(/\s+/);
      stages.push({ from, name, instructions: [] });
    } else stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

const last = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).at(-1)?.args;
const jsonArgs = (args: string | undefined) => (args ? (JSON.parse(args) as string[]) : undefined);

const APPS = readdirSync(join(WORKSPACE_ROOT, 'apps')).filter((a) => existsSync(join(WORKSPACE_ROOT, 'apps', a, 'Dockerfile')));
const SERVICES = ['archiver', 'catalog', 'query-gateway', 'replay-coordinator'];
const OUT = join(WORKSPACE_ROOT, 'dist', 'test', `images-${process.pid}`);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
}
const compose = parse(readFileSync(join(WORKSPACE_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

describe('Dockerfiles and docker-compose.yml against the build output', () => {
  beforeAll(() => {
    for (const app of APPS) buildApp(app, WORKSPACE_ROOT, OUT);
  });
  afterAll(() => rmSync(OUT, { recursive: true, force: true }));

  it('has one Dockerfile per service and one for the CLI', () => {
    expect(APPS.sort()).toEqual([...SERVICES, 'cli'].sort());
  });

  it.each(APPS)('%s: every COPY from the build stage names build output that exists', (app) => {
    const stages = parseDockerfile(readFileSync(join(WORKSPACE_ROOT, 'apps', app, 'Dockerfile'), 'utf8'));
    const copies = stages.flatMap((s) => s.instructions).filter((i) => i.op === 'COPY' && i.args.startsWith('--from=build '));
    expect(copies.length).toBeGreaterThan(0);
    for (const source of copies.flatMap((copy) => copy.args.split(/\s+/).slice(1, -1))) {
      const [, project, rest] = /^\/src\/dist\/apps\/([^/]+)\/?(.*)$/.exec(source) ?? [];
      expect(project, `${app}: ${source} is not build output`).toBeDefined();
      if (project === 'console') {
        // The web console is built by its own target (Vite), not by build-app; check the target writes there.
        const projectFile = join(WORKSPACE_ROOT, 'apps', 'console', 'project.json');
        if (!existsSync(projectFile)) continue; // the console app lands from its own branch
        const target = (JSON.parse(readFileSync(projectFile, 'utf8')) as { targets: { build?: { outputs?: string[] } } }).targets.build;
        expect(target?.outputs).toContain('{workspaceRoot}/dist/apps/console');
        continue;
      }
      expect(existsSync(join(OUT, project, rest)), `${app}: ${source}`).toBe(true);
    }
  });

  it.each(APPS)('%s: builds on Node 24 slim (trixie) and runs as a non-root user under tini, with only production dependencies', (app) => {
    const stages = parseDockerfile(readFileSync(join(WORKSPACE_ROOT, 'apps', app, 'Dockerfile'), 'utf8'));
    for (const stage of stages) expect(stage.from).toBe('node:24-trixie-slim');
    const runtime = stages.at(-1)!;
    expect(last(runtime, 'USER')).toBe('node');
    expect(jsonArgs(last(runtime, 'ENTRYPOINT'))?.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    expect(runtime.instructions.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n')).not.toMatch(/npm (ci|install)/);
    const deps = stages.find((s) => s.name === 'deps')!;
    // from the lock the build writes beside package.json, never a fresh resolution
    expect(deps.instructions.find((i) => i.op === 'RUN')?.args).toMatch(/npm ci --omit=dev/);
    expect(deps.instructions.filter((i) => i.op === 'COPY').map((i) => i.args)).toContain(`--from=build /src/dist/apps/${app}/package.json /src/dist/apps/${app}/package-lock.json ./`);
    expect(runtime.instructions.filter((i) => i.op === 'COPY').map((i) => i.args)).toContain('--from=deps /app/node_modules ./node_modules');
  });

  it.each(SERVICES)('%s: listens on all interfaces, checks /health/live with node, runs node main.js', (app) => {
    const runtime = parseDockerfile(readFileSync(join(WORKSPACE_ROOT, 'apps', app, 'Dockerfile'), 'utf8')).at(-1)!;
    expect(runtime.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ')).toMatch(/\bHOST=0\.0\.0\.0\b/);
    const healthcheck = last(runtime, 'HEALTHCHECK')!;
    expect(healthcheck).toMatch(/CMD \["node", "-e", .*\/health\/live/);
    expect(jsonArgs(last(runtime, 'CMD'))).toEqual(['node', 'main.js']);
    expect(last(runtime, 'WORKDIR')).toBe('/app');
  });

  it('starts every built compose service on an entry point the build produces', () => {
    const built = Object.entries(compose.services).filter(([, s]) => s.build);
    expect(built.map(([name]) => name).sort()).toEqual(['migrate', ...SERVICES].sort());
    for (const [name, service] of built) {
      const [, app] = /^apps\/([^/]+)\/Dockerfile$/.exec(service.build!.dockerfile) ?? [];
      expect(APPS, `${name}: ${service.build!.dockerfile}`).toContain(app);
      expect(service.build!.context).toBe('.');
      const runtime = parseDockerfile(readFileSync(join(WORKSPACE_ROOT, service.build!.dockerfile), 'utf8')).at(-1)!;
      const entrypoint = jsonArgs(last(runtime, 'ENTRYPOINT'))!.slice(2);
      const command = [...entrypoint, ...(service.command ?? jsonArgs(last(runtime, 'CMD'))!)];
      if (command[0] === 'node') {
        // /app holds dist/apps/<app>/ (COPY --from=build /src/dist/apps/<app>/ ./)
        expect(existsSync(join(OUT, app, command[1])), `${name}: ${command.join(' ')}`).toBe(true);
      } else {
        expect(command[0], name).toBe('fluxcap');
        const pkg = JSON.parse(readFileSync(join(OUT, app, 'package.json'), 'utf8')) as { bin: Record<string, string> };
        expect(existsSync(join(OUT, app, pkg.bin.fluxcap))).toBe(true);
        // The built CLI knows the subcommand (--help exits 0 only for a known one).
        execFileSync(process.execPath, [join(OUT, app, pkg.bin.fluxcap), ...command.slice(1), '--help'], { stdio: 'pipe' });
      }
    }
  });

  it('runs migrations once before the services, after Postgres and the emulators are ready', () => {
    const s = compose.services;
    expect(s.migrate.command).toEqual(['migrate']);
    expect(s.migrate.depends_on?.postgres.condition).toBe('service_healthy');
    expect(s['aws-init'].depends_on?.aws.condition).toBe('service_healthy');
    for (const name of SERVICES) {
      expect(s[name].depends_on?.migrate.condition, name).toBe('service_completed_successfully');
      expect(s[name].depends_on?.['aws-init'].condition, name).toBe('service_completed_successfully');
      // Database settings as the CDK deployment passes them: parts, not a URL.
      expect(s[name].environment, name).toMatchObject({ DATABASE_HOST: 'postgres', DATABASE_NAME: 'flux' });
      expect(s[name].environment).not.toHaveProperty('DATABASE_URL');
    }
    expect(s.postgres.image).toMatch(/^postgres:18/);
  });
});

describe('Dockerfiles: the Amazon RDS CA bundle', () => {
  it.each(APPS)('%s: carries it where the CDK app points DATABASE_SSL_CA_FILE, readable by the node user', (app) => {
    const runtime = parseDockerfile(readFileSync(join(WORKSPACE_ROOT, 'apps', app, 'Dockerfile'), 'utf8')).at(-1)!;
    const adds = runtime.instructions.filter((i) => i.op === 'ADD').map((i) => i.args);
    expect(adds).toContain('--chmod=644 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem');
    const stack = readFileSync(join(WORKSPACE_ROOT, 'infra', 'src', 'stacks', 'services-stack.ts'), 'utf8');
    expect(stack).toContain("RDS_CA_BUNDLE = '/etc/ssl/certs/rds-global-bundle.pem'");
  });
});

describe('docker-compose.yml: published ports', () => {
  it('publishes every port on 127.0.0.1 only (the default token is for a laptop)', () => {
    const published = Object.entries(compose.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(published.length).toBeGreaterThan(4);
    for (const [name, p] of published) expect(p, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it("publishes the query gateway's PostgreSQL endpoint on the port it listens on, which it may serve in plain text only because of that", () => {
    const gateway = compose.services['query-gateway'];
    const port = gateway.environment?.FLUX_PG_PORT;
    expect(port).toMatch(/^\d+$/);
    expect(gateway.ports?.map((p) => p.split(':')[2])).toContain(port);
    // the image binds HOST=0.0.0.0, where the gateway refuses a plain endpoint unless told otherwise or given TLS
    const tls = Boolean(gateway.environment?.FLUX_PG_TLS_CERT && gateway.environment?.FLUX_PG_TLS_KEY);
    expect(tls || gateway.environment?.FLUX_PG_ALLOW_PLAINTEXT === 'true').toBe(true);
  });
});
