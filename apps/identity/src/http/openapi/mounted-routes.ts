import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { type DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { z } from 'zod';
import { ROUTE_ACCESS, type RouteAccess } from '../auth/route-access.decorators';
import { IdParamPipe } from '../validation/id-param.pipe';
import { ZodPipe } from '../validation/zod-body.pipe';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One route as the app mounted it, with what its decorators and pipes say. */
export interface MountedRoute {
  method: HttpMethod;
  /** OpenAPI form: `/auth/sessions/{id}`. */
  path: string;
  /** `Controller.handler`, for operation ids and messages. */
  handler: string;
  access: RouteAccess | undefined;
  /** The schema of the `ZodPipe` that validates the body, if any. */
  body?: z.ZodType;
  /** The schema of the `ZodPipe` that validates the query, if any. */
  query?: z.ZodType;
  /** Path parameters in order; `uuid` when `IdParam` checks them. */
  params: { name: string; uuid: boolean }[];
}

const METHODS: Partial<Record<RequestMethod, HttpMethod>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

interface RouteArg {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

/**
 * Every route of every controller the app mounted (the walk of
 * test/e2e/route-access.e2e-spec.ts), sorted by path and method.
 * @throws Error for a route method this document cannot describe (ALL, OPTIONS, ...).
 */
export function mountedRoutes(discovery: DiscoveryService): MountedRoute[] {
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: MountedRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const metatype = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
    const instance = wrapper.instance as object | undefined;
    if (!instance || !metatype) continue;
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, metatype));
    const proto = Object.getPrototypeOf(instance) as Record<string, (...a: unknown[]) => unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name]!;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (paths === undefined || verb === undefined) continue;
      const method = METHODS[verb];
      if (!method) throw new Error(`${metatype.name}.${name}: method ${verb} is not documented`);
      const args = Object.entries(
        (Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, name) ?? {}) as Record<
          string,
          RouteArg
        >,
      );
      const ofType = (key: string, type: RouteParamtypes) =>
        Number(key.split(':')[0]) === Number(type);
      const zodOf = (type: RouteParamtypes) =>
        args
          .filter(([key]) => ofType(key, type))
          .flatMap(([, arg]) => arg.pipes ?? [])
          .find((pipe): pipe is ZodPipe<z.ZodType> => pipe instanceof ZodPipe)?.schema;
      const uuidParams = new Set(
        args
          .filter(([key]) => ofType(key, RouteParamtypes.PARAM))
          .filter(([, arg]) => (arg.pipes ?? []).some((pipe) => pipe instanceof IdParamPipe))
          .map(([, arg]) => String(arg.data)),
      );
      for (const prefix of prefixes) {
        for (const path of asList(paths)) {
          const full = toOpenApiPath(prefix, path);
          routes.push({
            method,
            path: full,
            handler: `${metatype.name}.${name}`,
            access: reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
              handler,
              metatype,
            ]),
            body: zodOf(RouteParamtypes.BODY),
            query: zodOf(RouteParamtypes.QUERY),
            params: [...full.matchAll(/\{(\w+)\}/g)].map((m) => ({
              name: m[1]!,
              uuid: uuidParams.has(m[1]!),
            })),
          });
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v as string));
  return [typeof value === 'string' ? value : ''];
}

/**
 * `auth/oidc` + `:provider/callback` → `/auth/oidc/{provider}/callback`; a wildcard
 * (`vendor/*path`) becomes a parameter too (`/vendor/{path}`: OpenAPI has no wildcards).
 */
export function toOpenApiPath(prefix: string, path: string): string {
  const joined = [prefix, path]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return `/${joined}`.replace(/[:*](\w+)/g, '{$1}');
}
