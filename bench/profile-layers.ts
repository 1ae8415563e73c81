/**
 * `node dist/bench/profile-layers.js <file.cpuprofile>`: the main thread's time in a V8 CPU
 * profile (`npm run bench -- --cpu-prof <dir>`) split by layer of the request path. Each
 * sample goes to the first rule that matches a frame of its stack, from the leaf upwards; a
 * socket or file write (a native leaf) goes to the client that made it (Postgres, Redis, the
 * HTTP response, the log). Boot, seeding and idle time are left out (the profile covers the
 * whole run), so the shares are of the time the event loop worked for requests.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const LEFT_OUT = ['idle', 'boot (module loading)', 'bench seeding', 'argon2'];

const pkg = (names: string): RegExp => new RegExp(`node_modules/(${names})/`);

const RULES: Array<[string, (f: CallFrame) => boolean]> = [
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
  [
    'boot (module loading)',
    (f) => /internal\/modules|wrapSafe|compileForInternalLoader/.test(f.url + f.functionName),
  ],
  ['bench seeding', (f) => /bench\/child/.test(f.url)],
  ['argon2', (f) => /argon2/.test(f.url)],
  [
    'request log (pino-http, pino, redact)',
    (f) => pkg('pino|pino-http|@pinojs|sonic-boom|nestjs-pino|pino-std-serializers').test(f.url),
  ],
  ['HTTP metrics (prom-client)', (f) => pkg('prom-client').test(f.url)],
  ['helmet', (f) => pkg('helmet').test(f.url)],
  ['cookie-parser', (f) => pkg('cookie-parser|cookie').test(f.url)],
  ['body parsing', (f) => pkg('body-parser|raw-body|content-type|type-is|iconv-lite').test(f.url)],
  [
    'per-IP limiter (HMAC, rate-limiter-flexible)',
    (f) =>
      pkg('rate-limiter-flexible').test(f.url) ||
      /libs\/protection\//.test(f.url) ||
      /auth-rate-limit/.test(f.url),
  ],
  [
    'JWT (jose, WebCrypto hand-off)',
    (f) => pkg('jose').test(f.url) || /internal\/crypto\/(util|sig|webcrypto|keys|ec)/.test(f.url),
  ],
  ['Redis client (ioredis)', (f) => pkg('ioredis|redis-parser|@ioredis|denque').test(f.url)],
  [
    'Postgres client (pg, typeorm)',
    (f) => pkg('pg|pg-protocol|pg-types|postgres-date|pg-pool|typeorm').test(f.url),
  ],
  ['socket.io', (f) => pkg('socket\\.io|engine\\.io|ws|socket\\.io-adapter').test(f.url)],
  ['app code (guards, services, controllers, filters)', (f) => /dist\/(apps|libs)\//.test(f.url)],
  ['Nest (router glue, interceptors, pipes)', (f) => pkg('@nestjs/[^/]+').test(f.url)],
  [
    'express + router',
    (f) =>
      pkg(
        'express|router|path-to-regexp|parseurl|finalhandler|send|on-finished|qs|encodeurl|statuses|vary|accepts|negotiator|fresh|etag|proxy-addr|forwarded|ipaddr\\.js',
      ).test(f.url),
  ],
  ['node http (parser, headers)', (f) => /node:_http|node:http/.test(f.url)],
  [
    'node streams, events, timers',
    (f) => /node:(net|internal\/streams|events|internal\/timers|timers|stream)/.test(f.url),
  ],
  [
    'promises, async_hooks, microtasks',
    (f) =>
      /async_hooks|runMicrotasks|processTicksAndRejections|task_queues/.test(
        f.url + f.functionName,
      ),
  ],
];

const WRITES = new Set([
  'writev',
  'writeUtf8String',
  'writeBuffer',
  'writeString',
  'writeLatin1String',
]);

/** Shares of the profile's busy main-thread time by layer, largest first. */
export function profileLayers(profile: CpuProfile): {
  busyMs: number;
  layers: Array<[string, number]>;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const tally = new Map<string, number>();
  const add = (label: string, us: number) => tally.set(label, (tally.get(label) ?? 0) + us);

  profile.samples.forEach((sample, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(sample)!.callFrame;
    if (WRITES.has(leaf.functionName)) {
      add(`socket/file writes for ${writerOf(sample, byId, parent)}`, us);
      return;
    }
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      const rule = RULES.find(([, test]) => test(frame));
      if (rule) return add(rule[0], us);
    }
    add('other', us);
  });
  for (const label of LEFT_OUT) tally.delete(label);
  const busy = [...tally.values()].reduce((a, b) => a + b, 0);
  return {
    busyMs: busy / 1000,
    layers: [...tally].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / busy]),
  };
}

function writerOf(id: number, byId: Map<number, ProfileNode>, parent: Map<number, number>): string {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const url = byId.get(at)!.callFrame.url;
    if (/node_modules\/(pg|pg-protocol)\//.test(url)) return 'Postgres';
    if (/node_modules\/ioredis\//.test(url)) return 'Redis';
    if (/node_modules\/(pino|sonic-boom)\//.test(url)) return 'the log';
    if (/_http_outgoing|_http_server/.test(url)) return 'HTTP responses';
  }
  return 'other';
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-layers.js <file.cpuprofile>\n');
    process.exit(2);
  }
  const { busyMs, layers } = profileLayers(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  process.stdout.write(`busy main thread: ${(busyMs / 1000).toFixed(2)} s\n`);
  for (const [label, share] of layers) {
    process.stdout.write(`${(share * 100).toFixed(1).padStart(5)} %  ${label}\n`);
  }
}
