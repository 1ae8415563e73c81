/**
 * deploy/k8s is what a cluster would accept and what the app needs: every manifest passes
 * the Kubernetes OpenAPI schemas (kubernetes-models' validators, offline) plus a strict
 * check of the keys we use (the schemas let unknown keys through, so a typo such as
 * `readinesProbe` would otherwise be dropped silently by the API server), and the pieces fit
 * together: selectors select the pods, probes hit the app's real routes on real ports,
 * the migration Job runs the compiled migrate entry from the Deployment's image, the app's
 * production rules accept the environment the pods get, every secretKeyRef exists in the
 * example Secret, and shutdown timings agree with README "Operations".
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '@identity/config';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { readRepoFile, ROOT } from './compose-file';

const DIR = 'deploy/k8s';

/** The validating model class of each kind we ship. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

// Strict key lists where typos hide: an unknown key fails here.
const probe = z
  .object({
    httpGet: z.object({ path: z.string(), port: z.string() }).strict(),
    periodSeconds: z.number(),
    timeoutSeconds: z.number().optional(),
    failureThreshold: z.number(),
  })
  .strict();
const envVar = z
  .object({
    name: z.string(),
    value: z.string().optional(),
    valueFrom: z
      .object({ secretKeyRef: z.object({ name: z.string(), key: z.string() }).strict() })
      .strict()
      .optional(),
  })
  .strict();
const container = z
  .object({
    name: z.string(),
    image: z.string(),
    imagePullPolicy: z.string(),
    command: z.array(z.string()).optional(),
    ports: z.array(z.object({ name: z.string(), containerPort: z.number() }).strict()).optional(),
    envFrom: z.array(z.object({ configMapRef: z.object({ name: z.string() }).strict() }).strict()),
    env: z.array(envVar),
    resources: z
      .object({
        requests: z.object({ cpu: z.string(), memory: z.string() }).strict(),
        limits: z.object({ memory: z.string() }).strict(),
      })
      .strict(),
    startupProbe: probe.optional(),
    livenessProbe: probe.optional(),
    readinessProbe: probe.optional(),
    securityContext: z
      .object({
        readOnlyRootFilesystem: z.literal(true),
        allowPrivilegeEscalation: z.literal(false),
        capabilities: z.object({ drop: z.array(z.literal('ALL')) }).strict(),
      })
      .strict(),
    volumeMounts: z.array(
      z
        .object({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional() })
        .strict(),
    ),
  })
  .strict();
const podSpec = z
  .object({
    terminationGracePeriodSeconds: z.number().optional(),
    restartPolicy: z.string().optional(),
    automountServiceAccountToken: z.literal(false),
    securityContext: z
      .object({
        runAsNonRoot: z.literal(true),
        runAsUser: z.number().positive(),
        runAsGroup: z.number().positive(),
        seccompProfile: z.object({ type: z.literal('RuntimeDefault') }).strict(),
      })
      .strict(),
    topologySpreadConstraints: z.array(z.unknown()).optional(),
    containers: z.array(container).length(1),
    volumes: z.array(z.object({ name: z.string() }).passthrough()),
  })
  .strict();
const podTemplate = z
  .object({
    metadata: z
      .object({
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
    spec: podSpec,
  })
  .strict();

type PodTemplate = z.infer<typeof podTemplate>;
type Container = z.infer<typeof container>;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readRepoFile(join(DIR, file))).map((doc) => {
    expect({ file, errors: doc.errors.map(String) }).toEqual({ file, errors: [] });
    return doc.toJS() as Manifest;
  });
}

describe('Kubernetes manifests (deploy/k8s)', () => {
  const kustomization = readManifests('kustomization.yaml')[0] as unknown as {
    namespace: string;
    resources: string[];
    images: { name: string }[];
  };
  const manifests = kustomization.resources.flatMap(readManifests);
  const example = readManifests('secret.example.yaml');
  const one = <T>(kind: string, name?: string): T => {
    const found = manifests.filter((m) => m.kind === kind && (!name || m.metadata.name === name));
    expect({ kind, count: found.length }).toEqual({ kind, count: 1 });
    return found[0] as unknown as T;
  };
  const deployment = one<{
    spec: { selector: { matchLabels: Record<string, string> }; template: PodTemplate };
  }>('Deployment');
  const job = one<{ spec: { template: PodTemplate } }>('Job');
  const configMap = one<{ metadata: { name: string }; data: Record<string, string> }>('ConfigMap');
  const server = deployment.spec.template.spec.containers[0] as Container;
  const migrate = job.spec.template.spec.containers[0] as Container;

  it('lists only files that exist, and never the example Secret', () => {
    for (const file of kustomization.resources)
      expect(existsSync(join(ROOT, DIR, file))).toBe(true);
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  it('validates every manifest against the Kubernetes schemas', () => {
    const problems = [...manifests, ...example].flatMap((manifest) => {
      const where = `${manifest.kind}/${manifest.metadata.name}`;
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      if (!Model) return [`${where}: no schema for ${manifest.apiVersion}`];
      try {
        new Model(manifest as never).validate();
        return [];
      } catch (err) {
        return [`${where}: ${String(err)}`];
      }
    });
    expect(problems).toEqual([]);
    // The validators can fail.
    const broken = structuredClone(manifests.find((m) => m.kind === 'Deployment'));
    (broken as unknown as { spec: { replicas: string } }).spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('uses only known keys in the pod templates (the schemas let typos through)', () => {
    expect(() => podTemplate.parse(deployment.spec.template)).not.toThrow();
    expect(() => podTemplate.parse(job.spec.template)).not.toThrow();
    const typo = structuredClone(deployment.spec.template);
    (typo.spec.containers[0] as Record<string, unknown>).readinesProbe = {};
    expect(() => podTemplate.parse(typo)).toThrow(/readinesProbe/);
  });

  it('selects the server pods with every selector', () => {
    const labels = deployment.spec.template.metadata.labels;
    const selects = (selector: Record<string, string> | undefined) =>
      Boolean(selector) && Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
    const service = one<{ spec: { selector: Record<string, string> } }>('Service');
    const pdb = one<{ spec: { selector: { matchLabels: Record<string, string> } } }>(
      'PodDisruptionBudget',
    );
    const policy = one<{ spec: { podSelector: { matchLabels: Record<string, string> } } }>(
      'NetworkPolicy',
    );
    const hpa = one<{ spec: { scaleTargetRef: { kind: string; name: string } } }>(
      'HorizontalPodAutoscaler',
    );
    expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
    expect(selects(service.spec.selector)).toBe(true);
    expect(selects(pdb.spec.selector.matchLabels)).toBe(true);
    expect(selects(policy.spec.podSelector.matchLabels)).toBe(true);
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'identity' });
    // The migration pods are not the server's: no Service or budget counts them.
    const jobLabels = job.spec.template.metadata.labels;
    expect(Object.entries(service.spec.selector).every(([k, v]) => jobLabels[k] === v)).toBe(false);
  });

  it("points probes and ports at the app's real routes and listeners", () => {
    const ports = Object.fromEntries((server.ports ?? []).map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({
      http: Number(configMap.data.PORT),
      grpc: Number(configMap.data.GRPC_PORT),
      metrics: Number(configMap.data.METRICS_PORT),
    });
    // Prometheus is told to scrape the metrics listener, not the public port.
    expect(deployment.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': configMap.data.METRICS_PORT,
      'prometheus.io/path': '/metrics',
    });
    expect(server.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(server.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(server.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    const ops = readRepoFile('apps/identity/src/http/ops/ops.controller.ts');
    expect(ops).toContain("@Get('healthz')");
    expect(ops).toContain("@Get('readyz')");
    const service = one<{ spec: { ports: { name: string; port: number; targetPort: string }[] } }>(
      'Service',
    );
    expect(service.spec.ports.map((p) => [p.name, p.port, p.targetPort])).toEqual([
      ['http', 3000, 'http'],
      ['grpc', 50051, 'grpc'],
    ]);
  });

  it('lets gRPC in only from namespaces labelled as gRPC clients', () => {
    const policy = one<{
      spec: {
        policyTypes: string[];
        ingress: {
          from?: { namespaceSelector?: { matchLabels: Record<string, string> } }[];
          ports: { port: string }[];
        }[];
      };
    }>('NetworkPolicy');
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const grpcRules = policy.spec.ingress.filter((r) => r.ports.some((p) => p.port === 'grpc'));
    expect(grpcRules).toHaveLength(1);
    expect(grpcRules[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'identity.example/grpc-client': 'true' } } },
    ]);
    const metricsRules = policy.spec.ingress.filter((r) =>
      r.ports.some((p) => p.port === 'metrics'),
    );
    expect(metricsRules).toHaveLength(1);
    expect(metricsRules[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'identity.example/metrics-scraper': 'true' } } },
    ]);
    // Every rule names its ports: none opens all of them.
    for (const rule of policy.spec.ingress) expect(rule.ports.length).toBeGreaterThan(0);
  });

  it('migrates in a Job with the compiled entry of the same image; the pods do not', () => {
    expect(migrate.image).toBe(server.image);
    expect(kustomization.images.map((i) => i.name)).toEqual([server.image]);
    expect(migrate.command).toEqual(['node', 'dist/apps/identity/src/migrate.js']);
    expect(existsSync(join(ROOT, 'apps/identity/src/migrate.ts'))).toBe(true);
    expect(configMap.data.DATABASE_MIGRATIONS_RUN).toBe('false');
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it("gives the pods an environment the app's production rules accept", () => {
    const secrets = Object.fromEntries(
      example.map((s) => [
        s.metadata.name,
        (s as { stringData?: Record<string, string> }).stringData ?? {},
      ]),
    );
    for (const c of [server, migrate]) {
      expect(c.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
      const env: Record<string, string> = { ...configMap.data };
      for (const v of c.env) {
        const ref = v.valueFrom?.secretKeyRef;
        if (!ref) {
          env[v.name] = v.value ?? '';
          continue;
        }
        expect({ ref, inExample: ref.key in (secrets[ref.name] ?? {}) }).toEqual({
          ref,
          inExample: true,
        });
        env[v.name] = realisticSecret(ref.key);
      }
      const config = loadConfig(env);
      expect(config.appUrl).toMatch(/^https:\/\//);
    }
    // The gRPC TLS files are the mounted Secret's keys.
    const mount = server.volumeMounts.find((m) => m.name === 'grpc-tls');
    for (const key of ['GRPC_TLS_CERT', 'GRPC_TLS_KEY', 'GRPC_TLS_CLIENT_CA']) {
      const path = configMap.data[key] ?? '';
      expect(path.startsWith(`${mount?.mountPath}/`)).toBe(true);
      expect(Object.keys(secrets['identity-grpc-tls'] ?? {})).toContain(path.split('/').pop());
    }
  });

  it('sizes and stops the pods as README "Operations" says', () => {
    expect(server.resources.requests.cpu).toBe('1');
    // bench/README.md "Memory": 192-268 MB RSS at peak; the request holds that, the limit more.
    expect(mebibytes(server.resources.requests.memory)).toBeGreaterThanOrEqual(268);
    expect(mebibytes(server.resources.limits.memory)).toBeGreaterThan(
      mebibytes(server.resources.requests.memory),
    );
    const drainMs = Number(configMap.data.SHUTDOWN_DRAIN_DELAY_MS);
    const timeoutMs = Number(configMap.data.SHUTDOWN_TIMEOUT_MS);
    const grace = deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30;
    expect(grace * 1000).toBeGreaterThan(timeoutMs);
    // Readiness fails (and endpoints drop the pod) before the drain delay ends.
    const readiness = server.readinessProbe;
    expect(
      (readiness?.periodSeconds ?? 0) * (readiness?.failureThreshold ?? 0) * 1000,
    ).toBeLessThan(drainMs);
    expect(configMap.data.ARGON2_CONCURRENCY).toBe('1');
  });
});

/** A well-formed stand-in for a Secret key's value (the example holds placeholders). */
function realisticSecret(key: string): string {
  switch (key) {
    case 'DATABASE_URL':
      return 'postgres://identity:secret@postgres:5432/identity';
    case 'REDIS_URL':
      return 'redis://redis:6379';
    case 'SMTP_URL':
      return 'smtp://user:secret@smtp.example.com:587';
    default:
      return randomBytes(32).toString('base64');
  }
}

function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}
