/**
 * docker-compose.yml works as it is: it is what `docker compose config` accepts (the Compose
 * Specification's schema, after interpolation), every name it refers to exists, its identity
 * service passes the app's own production rules with nothing but the secrets an operator
 * generates (no development secret, no default for a secret), and the TLS proxy in front
 * serves APP_URL and is the one proxy the app trusts. No Docker engine runs here, so these
 * are the checks that can fail before a user's `docker compose up` would.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DEV_KEY_ENCRYPTION_KEY, DEV_PASSWORD_PEPPER, loadConfig } from '@identity/config';
import {
  composeSchemaValidator,
  type ComposeFile,
  interpolate,
  readCompose,
  readRepoFile,
  ROOT,
} from './compose-file';

/** What the README's "Try it in 2 minutes" puts in .env. */
const OPERATOR_ENV = {
  PASSWORD_PEPPER: randomBytes(32).toString('base64'),
  KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  POSTGRES_PASSWORD: randomBytes(16).toString('hex'),
};

describe('docker-compose.yml', () => {
  const raw = readCompose();
  const compose: ComposeFile = interpolate(raw, OPERATOR_ENV);
  const { services } = compose;
  const identity = services.identity;
  const proxy = services.proxy;

  it('is valid against the Compose Specification schema, before and after interpolation', () => {
    const validate = composeSchemaValidator();
    for (const doc of [raw, compose]) {
      expect({ valid: validate(doc), errors: validate.errors ?? null }).toEqual({
        valid: true,
        errors: null,
      });
    }
    // The validator can fail: an unknown key and a wrong type are refused.
    expect(validate({ services: { a: { image: 'x', bogus: true } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', ports: 'nope' } } })).toBe(false);
  });

  it('refuses to start without the secrets: none of them has a default', () => {
    for (const name of Object.keys(OPERATOR_ENV)) {
      const without = { ...OPERATOR_ENV, [name]: undefined };
      expect(() => interpolate(raw, without)).toThrow(name);
    }
  });

  it('refers only to services, volumes, secrets and files that exist', () => {
    expect(referenceProblems(compose)).toEqual([]);
    // The check can fail: each kind of dangling reference is reported.
    const broken: ComposeFile = {
      services: {
        a: {
          image: 'x',
          depends_on: { ghost: { condition: 'service_started' } },
          volumes: ['./docker/no-such-file:/x', 'undeclared:/y'],
          secrets: ['nope'],
        },
        b: {},
      },
      volumes: { unused: {} },
    };
    expect(referenceProblems(broken)).toEqual([
      'a: depends on unknown service ghost',
      'a: no file ./docker/no-such-file',
      'a: undeclared undeclared',
      'a: undeclared secret nope',
      'b: neither image nor build',
      'volume unused is mounted nowhere',
    ]);
  });

  it("runs identity in production mode that the app's own rules accept, with no dev secret", () => {
    const env = identity?.environment ?? {};
    expect(env.NODE_ENV).toBe('production');
    const config = loadConfig(env);
    expect(config.appUrl).toBe('https://localhost');
    for (const [name, value] of Object.entries(env)) {
      expect({ name, dev: [DEV_PASSWORD_PEPPER, DEV_KEY_ENCRYPTION_KEY].includes(value) }).toEqual({
        name,
        dev: false,
      });
    }
    // The secrets come from the operator's environment, not from this file.
    const rawEnv = raw.services.identity?.environment ?? {};
    expect(rawEnv.PASSWORD_PEPPER).toMatch(/^\$\{PASSWORD_PEPPER:\?/);
    expect(rawEnv.KEY_ENCRYPTION_KEY).toMatch(/^\$\{KEY_ENCRYPTION_KEY:\?/);
    expect(rawEnv.DATABASE_URL).toContain('${POSTGRES_PASSWORD:?');
    expect(raw.services.postgres?.environment?.POSTGRES_PASSWORD).toMatch(
      /^\$\{POSTGRES_PASSWORD:\?/,
    );
  });

  it('puts a TLS proxy in front that serves APP_URL and is the only proxy identity trusts', () => {
    expect(proxy?.image).toMatch(/^caddy:/);
    const mount = (proxy?.volumes ?? []).find((v) => v.endsWith(':/etc/caddy/Caddyfile:ro'));
    const caddyfile = readRepoFile(mount?.split(':')[0] ?? 'missing');
    const site = caddyStructure(caddyfile);
    const appUrl = new URL(identity?.environment?.APP_URL ?? '');
    expect(site.address).toBe(appUrl.hostname);
    expect(site.directives).toContain('tls internal');
    // It forwards to the identity service on the port the app listens on (WebSocket
    // upgrades go through reverse_proxy as they are).
    expect(site.directives).toContain(`reverse_proxy identity:${identity?.environment?.PORT}`);
    expect(proxy?.ports).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/:443:443$/),
        expect.stringMatching(/:80:80$/),
      ]),
    );
    expect(proxy?.depends_on?.identity?.condition).toBe('service_healthy');
    // TRUST_PROXY is the proxy's fixed address, inside the declared subnet.
    const address = proxy?.networks?.default?.ipv4_address;
    expect(identity?.environment?.TRUST_PROXY).toBe(address);
    const subnet = compose.networks?.default?.ipam?.config?.[0]?.subnet ?? '';
    expect(address?.startsWith(subnet.replace(/0\/24$/, ''))).toBe(true);
  });

  it('publishes ports on loopback only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
      }
    }
  });

  it('runs the operator entry points compiled, in the image as on a checkout (no rebuild)', () => {
    const scripts = (
      JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.cli).toBe('node dist/apps/identity/src/cli.js');
    expect(scripts.migrate).toBe('node dist/apps/identity/src/migrate.js');
    const dockerfile = readRepoFile('docker/Dockerfile');
    expect(dockerfile).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/package\.json/);
    for (const entry of ['main', 'cli', 'migrate']) {
      expect(existsSync(join(ROOT, `apps/identity/src/${entry}.ts`))).toBe(true);
    }
  });
});

/**
 * The Caddyfile's one site block, structurally: its address and its directives (one a line,
 * comments dropped). Braces must balance; a global options block (`{ ... }` first) is skipped.
 */
function caddyStructure(text: string): { address: string; directives: string[] } {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  let depth = 0;
  const sites: { address: string; directives: string[] }[] = [];
  for (const line of lines) {
    if (depth === 0 && line.endsWith('{')) {
      const address = line.slice(0, -1).trim();
      if (address) sites.push({ address, directives: [] });
    } else if (depth === 1 && line !== '}' && sites.length > 0 && !line.endsWith('{')) {
      sites.at(-1)?.directives.push(line.replace(/\s+/g, ' '));
    }
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
  expect(sites).toHaveLength(1);
  return sites[0] ?? { address: '', directives: [] };
}

/** Every reference of `compose` to a service, volume, secret, network or file that is not there. */
function referenceProblems(compose: ComposeFile): string[] {
  const { services } = compose;
  const names = Object.keys(services);
  const volumes = Object.keys(compose.volumes ?? {});
  const secrets = Object.keys(compose.secrets ?? {});
  const networks = ['default', ...Object.keys(compose.networks ?? {})];
  const problems: string[] = [];
  for (const [name, service] of Object.entries(services)) {
    for (const dep of Object.keys(service.depends_on ?? {})) {
      if (!names.includes(dep)) problems.push(`${name}: depends on unknown service ${dep}`);
    }
    for (const mount of service.volumes ?? []) {
      const source = mount.split(':')[0] ?? '';
      const bind = source.startsWith('.') || source.startsWith('/');
      if (bind && !existsSync(join(ROOT, source))) problems.push(`${name}: no file ${source}`);
      if (!bind && !volumes.includes(source)) problems.push(`${name}: undeclared ${source}`);
    }
    for (const secret of service.secrets ?? []) {
      const source = typeof secret === 'string' ? secret : secret.source;
      if (!secrets.includes(source)) problems.push(`${name}: undeclared secret ${source}`);
    }
    for (const network of Object.keys(service.networks ?? {})) {
      if (!networks.includes(network)) problems.push(`${name}: undeclared network ${network}`);
    }
    const build = service.build;
    if (build && !existsSync(join(ROOT, build.context, build.dockerfile ?? 'Dockerfile'))) {
      problems.push(`${name}: no Dockerfile`);
    }
    if (!service.image && !build) problems.push(`${name}: neither image nor build`);
  }
  // A declared volume that nothing mounts is a leftover.
  const mounted = Object.values(services).flatMap((s) =>
    (s.volumes ?? []).map((m) => m.split(':')[0]),
  );
  for (const volume of volumes) {
    if (!mounted.includes(volume)) problems.push(`volume ${volume} is mounted nowhere`);
  }
  return problems;
}
