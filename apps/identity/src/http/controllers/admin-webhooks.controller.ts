import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { z } from 'zod';
import type { Principal } from '@identity/tokens';
import { CurrentPrincipal } from '../auth/principal';
import { ZodPipe } from '../validation/zod-body.pipe';
import { webhookBody } from '../validation/admin.schemas';
import { AdminOnly } from './admin-access.decorator';
import {
  type CreatedWebhookResponse,
  toCreatedWebhookResponse,
  toWebhookResponse,
  type WebhookResponse,
} from './admin.mappers';
import { WebhookEndpointService } from '@identity/delivery';
import { IdParam } from '../validation/id-param.pipe';

/** Webhook receivers (SOC/SIEM), for administrators. Delivery itself is the outbox's job. */
@Controller('admin/webhooks')
@AdminOnly()
export class AdminWebhooksController {
  constructor(private readonly webhooks: WebhookEndpointService) {}

  @Get()
  async list(): Promise<{ items: WebhookResponse[] }> {
    return { items: (await this.webhooks.list()).map(toWebhookResponse) };
  }

  /** The secret is in this answer only; it is never shown again. */
  @Post()
  @HttpCode(201)
  async create(
    @Body(new ZodPipe(webhookBody)) body: z.infer<typeof webhookBody>,
    @CurrentPrincipal() admin: Principal,
  ): Promise<CreatedWebhookResponse> {
    const created = await this.webhooks.create({ ...body, actorId: admin.userId });
    return toCreatedWebhookResponse(created);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @Param('id', IdParam('webhook')) id: string,
    @CurrentPrincipal() admin: Principal,
  ): Promise<void> {
    await this.webhooks.delete(id, admin.userId);
  }
}
