import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApiDocsController } from './api-docs.controller';
import { ApiDocs } from './api-docs.service';

/** `/openapi.json` and `/docs`, from the routes the app mounts (see openapi-document.ts). */
@Module({ imports: [DiscoveryModule], controllers: [ApiDocsController], providers: [ApiDocs] })
export class ApiDocsModule {}
