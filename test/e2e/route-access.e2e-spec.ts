/**
 * Deny by default: every route must declare `@Public()` or `@Authenticated()`. Forgetting
 * the decorator must never publish a route, so this walks every controller method the app
 * mounted and fails on one without an explicit decision. It also proves the guard refuses
 * an undecided route at run time.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import request from 'supertest';
import {
  ROUTE_ACCESS,
  type RouteAccess,
} from '../../apps/identity/src/http/auth/route-access.decorators';
import { startTestApp, type TestApp } from '../support/app';

describe('route access decisions', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ label: 'route_access', extraModules: [DiscoveryModule] });
  });
  afterAll(() => app.close());

  it('every mounted route says @Public() or @Authenticated()', () => {
    const discovery = app.running.app.get(DiscoveryService, { strict: false });
    const scanner = new MetadataScanner();
    const reflector = new Reflector();
    const routes: { route: string; access?: RouteAccess }[] = [];
    for (const wrapper of discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype) continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = (proto as Record<string, (...a: unknown[]) => unknown>)[name]!;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined || Reflect.getMetadata(METHOD_METADATA, handler) === undefined)
          continue;
        routes.push({
          route: `${wrapper.metatype.name}.${name}`,
          access: reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
            handler,
            wrapper.metatype,
          ]),
        });
      }
    }
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => !r.access).map((r) => r.route)).toEqual([]);
  });
});

describe('the guard refuses a route with no decision', () => {
  @Controller('undecided')
  class UndecidedController {
    @Get()
    leak(): { secret: string } {
      return { secret: 'should never be served' };
    }
  }
  @Module({ controllers: [UndecidedController] })
  class UndecidedModule {}

  it('answers 403 problem+json', async () => {
    const app = await startTestApp({ label: 'route_undecided', extraModules: [UndecidedModule] });
    try {
      const res = await request(app.url).get('/undecided');
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
      expect(JSON.stringify(res.body)).not.toContain('should never be served');
    } finally {
      await app.close();
    }
  });
});
