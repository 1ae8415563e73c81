import { z } from 'zod';
import type { ProblemCode } from '../problem/problem';
import type { MountedRoute } from './mounted-routes';
import { apiSchemas } from './response.schemas';
import { ROUTE_DOCS, type ResponseDoc, type RouteDoc } from './route-docs';

/** JSON as the document holds it. */
type Json = Record<string, unknown>;

/** The contract's version (API.md), not the package's: it changes when the contract does. */
const API_VERSION = '1.0.0';
const COMPONENT = (id: string) => `#/components/schemas/${id}`;
const SAFE_INT = 9_007_199_254_740_991;

/**
 * zod's JSON Schema, trimmed for a reader: no `$schema`/`$id`, no regular expression beside a
 * `format` that says the same (uuid, date-time), no ±2^53 bounds on integers.
 */
function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const converted = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    metadata: apiSchemas,
    override: ({ jsonSchema }) => tidy(jsonSchema as Json),
  }) as Json;
  return refsToComponents(converted);
}

function tidy(node: Json): void {
  if (typeof node.format === 'string' && typeof node.pattern === 'string') delete node.pattern;
  if (node.minimum === -SAFE_INT) delete node.minimum;
  if (node.maximum === SAFE_INT) delete node.maximum;
}

/** Named schemas live in `components`: local `$defs` references point there instead. */
function refsToComponents(node: Json): Json {
  const { $schema: _s, $id: _i, $defs: _d, ...rest } = node;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      const out: Json = {};
      for (const [k, v] of Object.entries(value as Json)) {
        out[k] =
          k === '$ref' && typeof v === 'string'
            ? v.replace(/^#\/\$defs\//, COMPONENT(''))
            : walk(v);
      }
      return out;
    }
    return value;
  };
  return walk(rest) as Json;
}

/** Every named schema, for `components.schemas`. */
function componentSchemas(): Json {
  const { schemas } = z.toJSONSchema(apiSchemas, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: COMPONENT,
    override: ({ jsonSchema }) => tidy(jsonSchema as Json),
  });
  return Object.fromEntries(
    Object.entries(schemas)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, schema]) => [id, refsToComponents(schema as Json)]),
  );
}

/**
 * The error codes of a route: its own (API.md's table, in `ROUTE_DOCS`) and those that
 * follow from how it is mounted. Returned by status.
 */
export function errorCodesOf(route: MountedRoute, doc: RouteDoc): Map<number, Set<ProblemCode>> {
  const codes = new Map<number, Set<ProblemCode>>();
  const add = (status: number, ...list: ProblemCode[]) => {
    const set = codes.get(status) ?? new Set<ProblemCode>();
    for (const code of list) set.add(code);
    codes.set(status, set);
  };
  const authenticated = route.access?.kind === 'authenticated' ? route.access : undefined;
  if (route.body) {
    add(400, 'validation_failed', 'malformed_request');
    add(413, 'payload_too_large');
    add(415, 'unsupported_media_type');
  }
  if (route.query || doc.query) add(400, 'validation_failed');
  if (authenticated) add(401, 'unauthorized');
  if (authenticated?.permission) add(403, 'forbidden');
  if (authenticated?.requireMfa) add(403, 'mfa_required');
  if ((authenticated || doc.cookieCsrf) && route.method !== 'get') add(403, 'csrf_failed');
  if (route.params.some((p) => p.uuid)) add(404, 'not_found');
  if (route.path.startsWith('/auth/')) add(429, 'rate_limited');
  if (doc.hashesPasswords) add(503, 'overloaded');
  if (route.path.startsWith('/auth') || route.path.startsWith('/admin')) add(503, 'unavailable');
  for (const [status, list] of Object.entries(doc.errors ?? {}))
    add(Number(status), ...(list ?? []));
  add(500, 'internal');
  return new Map([...codes].sort(([a], [b]) => a - b));
}

function content(response: ResponseDoc): Json | undefined {
  const type = response.contentType ?? 'application/json';
  if (!response.schema) return response.contentType ? { [type]: {} } : undefined;
  const schemas = Array.isArray(response.schema) ? response.schema : [response.schema];
  const converted = schemas.map((s) => toJsonSchema(s, 'output'));
  return { [type]: { schema: converted.length === 1 ? converted[0] : { oneOf: converted } } };
}

const RESPONSE_HEADERS: Partial<Record<number, Record<string, string>>> = {
  401: { 'WWW-Authenticate': 'Bearer' },
  429: { 'Retry-After': 'Seconds to wait' },
  503: { 'Retry-After': 'Seconds to wait' },
};

function headers(list: Record<string, string> | undefined): Json | undefined {
  if (!list) return undefined;
  return Object.fromEntries(
    Object.entries(list).map(([name, description]) => [
      name,
      { description, schema: { type: 'string' } },
    ]),
  );
}

function operation(route: MountedRoute, doc: RouteDoc): Json {
  const responses: Json = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    responses[status] = {
      description: response.description,
      ...(headers(response.headers) ? { headers: headers(response.headers) } : {}),
      ...(content(response) ? { content: content(response) } : {}),
    };
  }
  for (const [status, codes] of errorCodesOf(route, doc)) {
    const list = [...codes];
    const special = doc.errorSchemas?.[status];
    const base = special ? toJsonSchema(special, 'output') : { $ref: COMPONENT('Problem') };
    const existing = responses[String(status)] as Json | undefined;
    const problem = {
      'application/problem+json': {
        schema: {
          allOf: [base, { type: 'object', properties: { code: { type: 'string', enum: list } } }],
        },
      },
    };
    responses[String(status)] = existing
      ? { ...existing, content: { ...(existing.content as Json), ...problem } }
      : {
          description: `Problem details; code ${list.join(', ')}`,
          ...(headers(RESPONSE_HEADERS[status])
            ? { headers: headers(RESPONSE_HEADERS[status]) }
            : {}),
          content: problem,
        };
  }
  const parameters = [
    ...route.params.map((p) => ({
      name: p.name,
      in: 'path',
      required: true,
      schema: p.uuid ? { type: 'string', format: 'uuid' } : { type: 'string' },
    })),
    ...queryParameters(route.query ?? doc.query),
  ];
  const authenticated = route.access?.kind === 'authenticated' ? route.access : undefined;
  return {
    operationId: route.handler.replace(/Controller\./, '_'),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    security: authenticated ? [{ bearerAuth: [] }, { cookieAuth: [] }] : [],
    ...(authenticated?.permission ? { 'x-permission': authenticated.permission } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toJsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)),
    ),
  };
}

function queryParameters(query: z.ZodType | undefined): Json[] {
  if (!query) return [];
  const schema = toJsonSchema(query, 'input') as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

/**
 * The OpenAPI 3.1 document of the mounted routes. Requests are described by the zod schemas
 * that validate them (the `ZodPipe` of each route), answers by `response.schemas.ts`, the
 * rest by `ROUTE_DOCS`.
 * @throws Error when a mounted route has no entry in `ROUTE_DOCS`, or an entry no route.
 */
export function buildOpenApiDocument(
  routes: readonly MountedRoute[],
  docs: Record<string, RouteDoc> = ROUTE_DOCS,
): Json {
  const keys = new Set(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
  const undocumented = [...keys].filter((key) => !docs[key]);
  const stale = Object.keys(docs).filter((key) => !keys.has(key));
  if (undocumented.length > 0 || stale.length > 0) {
    throw new Error(
      `OpenAPI: routes without docs: ${undocumented.join(', ') || 'none'}; docs without routes: ${stale.join(', ') || 'none'}`,
    );
  }
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const doc = docs[`${route.method.toUpperCase()} ${route.path}`]!;
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method]: operation(route, doc) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Identity platform',
      version: API_VERSION,
      description:
        'REST API of the identity platform (the contract: API.md). Errors are RFC 9457 problem details with a stable `code`; each operation lists the codes it can answer. Generated from the routes the app mounts, the zod schemas that validate their input, and the response schemas of apps/identity/src/http/openapi.',
    },
    tags: [
      { name: 'auth', description: 'Accounts, sign-in, tokens' },
      { name: 'mfa', description: 'Second factor' },
      { name: 'sessions', description: "The user's devices" },
      { name: 'federation', description: 'Google, GitHub and OpenID Connect sign-in' },
      {
        name: 'admin',
        description: 'Administration (identity:admin, and a second factor by default)',
      },
      { name: 'keys', description: 'Token verification keys' },
      { name: 'ops', description: 'Health and metrics' },
      { name: 'web', description: 'The account web UI' },
      { name: 'docs', description: 'This document' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (RFC 9068 at+jwt)' },
        cookieAuth: {
          type: 'apiKey',
          in: 'cookie',
          name: '__Host-access_token',
          description:
            'Cookie mode (X-Auth-Transport: cookie at sign-in); state-changing requests also need X-CSRF-Token equal to the csrf cookie. Without COOKIE_SECURE the cookie is access_token.',
        },
      },
      schemas: componentSchemas(),
    },
  };
}
