import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { mountedRoutes } from './mounted-routes';
import { buildOpenApiDocument } from './openapi-document';

/** The document of this app's routes, built once (routes do not change while it runs). */
@Injectable()
export class ApiDocs {
  private document: Record<string, unknown> | undefined;
  private text: string | undefined;

  constructor(private readonly discovery: DiscoveryService) {}

  /** @throws Error when a route and `ROUTE_DOCS` disagree (a test catches it first). */
  get(): Record<string, unknown> {
    this.document ??= buildOpenApiDocument(mountedRoutes(this.discovery));
    return this.document;
  }

  /** As committed in docs/openapi.json: two-space JSON and a final newline. */
  json(): string {
    this.text ??= `${JSON.stringify(this.get(), null, 2)}\n`;
    return this.text;
  }
}
