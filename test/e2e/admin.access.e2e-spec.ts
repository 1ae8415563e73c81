/**
 * Attack: an ordinary user (or a stolen password without the second factor) reaches the
 * admin API. Every route under `/admin`, found by walking the router rather than from a
 * hand-kept list (so a new route cannot be forgotten), must answer 401 without a token,
 * 403 `forbidden` to a non-admin, and, with `ADMIN_REQUIRE_MFA` at its default (true),
 * 403 `mfa_required` to an admin whose session has no second factor.
 */
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import request from 'supertest';
import { type AdminHarness, bearer, startAdminHarness, type TestUser } from './admin.fixtures';

interface Route {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  path: string;
}

const VERBS: Partial<Record<RequestMethod, Route['method']>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.PATCH]: 'patch',
};

/** Every mounted route whose path starts with `admin`, with its parameters filled in. */
function adminRoutes(h: AdminHarness): Route[] {
  const discovery = h.app.running.app.get(DiscoveryService, { strict: false });
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    if (!instance || !wrapper.metatype) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, wrapper.metatype) ?? '');
    const proto = Object.getPrototypeOf(instance) as Record<string, object>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name]!;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || verb === undefined) continue;
      const full = `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/');
      if (!full.startsWith('/admin')) continue;
      routes.push({
        method: VERBS[verb] ?? 'get',
        path: full
          .replace(':id', '0b6f3c1e-9a55-4d1b-8b8e-2f4a6c8d0e1f')
          .replace(':name', 'some-role'),
      });
    }
  }
  return routes;
}

describe('admin routes refuse non-admins and admins without a second factor', () => {
  let h: AdminHarness;
  let user: TestUser;
  let routes: Route[];

  beforeAll(async () => {
    h = await startAdminHarness({ label: 'admin_access', extraModules: [DiscoveryModule] });
    user = await h.signUp('not.admin');
    routes = adminRoutes(h);
  });
  afterAll(() => h.close());

  const call = (route: Route, token?: string) => {
    const req = request(h.app.url)[route.method](route.path);
    if (token) req.set(bearer(token));
    return route.method === 'get' || route.method === 'delete' ? req : req.send({});
  };

  it('finds every admin route of API.md on the router', () => {
    const found = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'GET /admin/users',
        'GET /admin/users/0b6f3c1e-9a55-4d1b-8b8e-2f4a6c8d0e1f',
        'POST /admin/users/0b6f3c1e-9a55-4d1b-8b8e-2f4a6c8d0e1f/lock',
        'POST /admin/users/0b6f3c1e-9a55-4d1b-8b8e-2f4a6c8d0e1f/unlock',
        'PUT /admin/users/0b6f3c1e-9a55-4d1b-8b8e-2f4a6c8d0e1f/roles',
        'GET /admin/roles',
        'PUT /admin/roles/some-role',
        'DELETE /admin/roles/some-role',
        'GET /admin/audit',
        'POST /admin/keys/rotate',
        'GET /admin/webhooks',
        'POST /admin/webhooks',
        'DELETE /admin/webhooks/0b6f3c1e-9a55-4d1b-8b8e-2f4a6c8d0e1f',
      ]),
    );
  });

  it('answers 401 without a token', async () => {
    for (const route of routes) {
      const res = await call(route);
      expect({ route, status: res.status, code: res.body.code }).toEqual({
        route,
        status: 401,
        code: 'unauthorized',
      });
    }
  });

  it('answers 403 forbidden to a signed-in user without identity:admin', async () => {
    for (const route of routes) {
      const res = await call(route, user.accessToken);
      expect({ route, status: res.status, code: res.body.code }).toEqual({
        route,
        status: 403,
        code: 'forbidden',
      });
    }
  });

  it('answers 403 mfa_required to an admin signed in with a password only', async () => {
    for (const route of routes) {
      const res = await call(route, h.admin.accessToken);
      expect({ route, status: res.status, code: res.body.code }).toEqual({
        route,
        status: 403,
        code: 'mfa_required',
      });
    }
  });
});
