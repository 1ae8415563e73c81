/**
 * The OpenAPI document is the REST contract for clients, so it must never drift from the app:
 * - the committed docs/openapi.json is exactly what the running app serves at /openapi.json;
 * - its operations are exactly the routes the app mounts (walking the router as
 *   route-access.e2e-spec.ts does), public exactly where the route is @Public();
 * - it is a valid OpenAPI 3.1 document (swagger-parser);
 * - every error code API.md's table gives a route is documented for that route;
 * - /docs renders it; API_DOCS_ENABLED=false unmounts both.
 * After a route or schema change, regenerate with
 *   OPENAPI_WRITE=1 npx jest test/e2e/openapi.document.e2e-spec.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import request from 'supertest';
import {
  ROUTE_ACCESS,
  type RouteAccess,
} from '../../apps/identity/src/http/auth/route-access.decorators';
import { startTestApp, type TestApp } from '../support/app';

const ROOT = join(__dirname, '../..');
const COMMITTED = join(ROOT, 'docs/openapi.json');

type Operation = {
  security: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
type Schema = { allOf?: { properties?: { code?: { enum?: string[] } } }[] };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** Error codes per route, transcribed from API.md's REST table (the routes this app mounts). */
const API_MD_CODES: Record<string, string[]> = {
  'POST /auth/register': ['validation_failed', 'weak_password', 'rate_limited'],
  'GET /auth/verify-email': ['token_invalid'],
  'POST /auth/verify-email': ['token_invalid', 'invalid_credentials'],
  'POST /auth/resend-verification': ['rate_limited'],
  'POST /auth/login': [
    'invalid_credentials',
    'email_not_verified',
    'account_locked',
    'too_many_attempts',
  ],
  'POST /auth/mfa/verify': ['mfa_invalid', 'too_many_attempts'],
  'POST /auth/refresh': ['refresh_invalid', 'refresh_reused'],
  'POST /auth/logout-all': ['unauthorized'],
  'POST /auth/forgot-password': ['rate_limited'],
  'POST /auth/reset-password': ['token_invalid', 'weak_password'],
  'POST /auth/change-password': ['invalid_credentials', 'weak_password'],
  'GET /auth/me': ['unauthorized'],
  'GET /auth/sessions': ['unauthorized'],
  'DELETE /auth/sessions/{id}': ['not_found'],
  'POST /auth/mfa/totp/setup': ['invalid_credentials', 'mfa_already_enabled'],
  'POST /auth/mfa/totp/confirm': ['mfa_invalid'],
  'POST /auth/mfa/totp/disable': ['mfa_invalid', 'too_many_attempts'],
  'POST /auth/mfa/recovery-codes': ['mfa_invalid'],
  'GET /auth/oidc/{provider}': ['not_found', 'redirect_not_allowed'],
  'POST /auth/oidc/exchange': ['token_invalid', 'account_link_required'],
  'POST /auth/oidc/link': ['token_invalid', 'identity_in_use'],
  'GET /auth/identities': ['unauthorized'],
  'DELETE /auth/identities/{provider}': ['not_found', 'last_sign_in_method'],
  'GET /admin/users/{id}': ['forbidden', 'mfa_required', 'not_found'],
  'POST /admin/users/{id}/lock': ['forbidden', 'last_admin'],
  'PUT /admin/users/{id}/roles': ['forbidden', 'validation_failed', 'last_admin'],
  'DELETE /admin/roles/{name}': ['forbidden', 'role_in_use'],
  'GET /admin/audit': ['forbidden'],
  'POST /admin/keys/rotate': ['forbidden'],
  'POST /admin/webhooks': ['forbidden', 'validation_failed'],
};

/** The codes the document gives an operation, over every status. */
function documentedCodes(op: Operation): string[] {
  return Object.values(op.responses).flatMap((response) =>
    (response.content?.['application/problem+json']?.schema?.allOf ?? []).flatMap(
      (part) => part.properties?.code?.enum ?? [],
    ),
  );
}

describe('the OpenAPI document', () => {
  let app: TestApp;
  let committed: Document;

  beforeAll(async () => {
    app = await startTestApp({ label: 'openapi' });
    const served = await request(app.url).get('/openapi.json').expect(200);
    if (process.env.OPENAPI_WRITE === '1') writeFileSync(COMMITTED, served.text);
    committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Document;
  });
  afterAll(() => app.close());

  it('is committed exactly as the app serves it', async () => {
    const served = await request(app.url).get('/openapi.json').expect(200);
    expect(served.headers['content-type']).toMatch(/^application\/json/);
    expect(served.text).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('has exactly the routes the app mounts, public exactly where the route is', () => {
    const discovery = app.running.app.get(DiscoveryService, { strict: false });
    const scanner = new MetadataScanner();
    const reflector = new Reflector();
    const mounted = new Map<string, boolean>();
    for (const wrapper of discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype) continue;
      const prefix = String(Reflect.getMetadata(PATH_METADATA, wrapper.metatype) ?? '');
      const proto = Object.getPrototypeOf(instance) as object;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = (proto as Record<string, (...a: unknown[]) => unknown>)[name]!;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const full = `/${[prefix, path]
          .map((p) => p.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        const access = reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
          handler,
          wrapper.metatype,
        ]);
        mounted.set(
          `${RequestMethod[method]} ${full.replace(/[:*](\w+)/g, '{$1}')}`,
          access?.kind === 'public',
        );
      }
    }
    const documented = new Map<string, boolean>();
    for (const [path, item] of Object.entries(committed.paths)) {
      for (const [method, op] of Object.entries(item)) {
        documented.set(`${method.toUpperCase()} ${path}`, op.security.length === 0);
      }
    }
    expect(mounted.size).toBeGreaterThan(50);
    expect([...documented.keys()].sort()).toEqual([...mounted.keys()].sort());
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(mounted));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(committed.openapi).toBe('3.1.0');
    await expect(
      SwaggerParser.validate(structuredClone(committed) as never),
    ).resolves.toMatchObject({ openapi: '3.1.0' });
  });

  it("documents every error code of API.md's table for its route", () => {
    const missing: string[] = [];
    for (const [route, codes] of Object.entries(API_MD_CODES)) {
      const [method, path] = route.split(' ') as [string, string];
      const op = committed.paths[path]?.[method.toLowerCase()];
      if (!op) {
        missing.push(`${route}: not documented`);
        continue;
      }
      const documented = new Set(documentedCodes(op));
      for (const code of codes) if (!documented.has(code)) missing.push(`${route}: ${code}`);
    }
    expect(missing).toEqual([]);
    // Every operation documents at least the catch-all.
    for (const item of Object.values(committed.paths))
      for (const op of Object.values(item)) expect(documentedCodes(op)).toContain('internal');
  });

  it('agrees with the table of API.md itself, where the shared docs are at hand', () => {
    const apiMd = join(ROOT, '../shared/docs/API.md');
    if (!existsSync(apiMd)) return; // outside the workspace layout: the transcription stands
    const rows = readFileSync(apiMd, 'utf8')
      .split('\n')
      .filter((line) => /^\| (GET|POST|PUT|PATCH|DELETE) \//.test(line));
    for (const row of rows) {
      const cells = row.split('|').map((c) => c.trim());
      const route = cells[1]!.replace(/\?.*$/, '').replace(/:(\w+)/g, '{$1}');
      const [method, path] = route.split(' ') as [string, string];
      const op = committed.paths[path]?.[method.toLowerCase()];
      if (!op) continue; // in the contract, not (yet) mounted by this app
      const documented = new Set(documentedCodes(op));
      // Codes as the table writes them: a status, then the code (`400 \`weak_password\``).
      const listed = [...(cells.at(-2) ?? '').matchAll(/\b\d{3} `([a-z_]+)`/g)].map((m) => m[1]!);
      expect({ route, missing: listed.filter((code) => !documented.has(code)) }).toEqual({
        route,
        missing: [],
      });
    }
  });

  it('renders /docs as a page without scripts, listing every operation', async () => {
    const page = await request(app.url).get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).not.toMatch(/<script/i);
    for (const path of Object.keys(committed.paths)) {
      expect(page.text).toContain(path.replace(/&/g, '&amp;'));
    }
  });

  it('is not served when API_DOCS_ENABLED=false', async () => {
    const off = await startTestApp({ label: 'openapi_off', env: { API_DOCS_ENABLED: 'false' } });
    try {
      await request(off.url).get('/openapi.json').expect(404);
      await request(off.url).get('/docs').expect(404);
    } finally {
      await off.close();
    }
  });
});
