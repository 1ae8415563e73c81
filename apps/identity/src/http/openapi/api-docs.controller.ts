import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/route-access.decorators';
import { renderApiDocsPage } from './api-docs.page';
import { ApiDocs } from './api-docs.service';

/**
 * The OpenAPI document of this API (`/openapi.json`) and a page of it (`/docs`). Public: the
 * contract is public. Mounted only while `API_DOCS_ENABLED` (default off in production).
 */
@Controller()
@Public()
export class ApiDocsController {
  private page: string | undefined;

  constructor(private readonly docs: ApiDocs) {}

  @Get('openapi.json')
  document(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json').send(this.docs.json());
  }

  @Get('docs')
  html(@Res() res: Response): void {
    this.page ??= renderApiDocsPage(this.docs.get());
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(this.page);
  }
}
