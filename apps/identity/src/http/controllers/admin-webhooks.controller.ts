import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import type { z } from 'zod';
import { WebhookDeliveryService, WebhookEndpointService } from '@identity/delivery';
import type { Principal } from '@identity/tokens';
import { CurrentPrincipal } from '../auth/principal';
import { IdParam } from '../validation/id-param.pipe';
import { ZodPipe } from '../validation/zod-body.pipe';
import { webhookBody, webhookDeliveriesQuery, webhookPatchBody } from '../validation/admin.schemas';
import { AdminOnly } from './admin-access.decorator';
import {
  type CreatedWebhookResponse,
  toCreatedWebhookResponse,
  toWebhookDeliveryPage,
  toWebhookDetailResponse,
  toWebhookResponse,
  type WebhookDetailResponse,
  type WebhookResponse,
} from './admin.mappers';

/**
 * Webhook receivers (SOC/SIEM), for administrators: the registry and its deliveries. The use
 * cases are libs/delivery's; delivery itself is the outbox worker's job.
 */
@Controller('admin/webhooks')
@AdminOnly()
export class AdminWebhooksController {
  constructor(
    private readonly webhooks: WebhookEndpointService,
    private readonly deliveries: WebhookDeliveryService,
  ) {}

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
    return toCreatedWebhookResponse(await this.webhooks.create({ ...body, actorId: admin.userId }));
  }

  @Get(':id')
  async get(@Param('id', IdParam('webhook')) id: string): Promise<WebhookDetailResponse> {
    return toWebhookDetailResponse(await this.webhooks.get(id));
  }

  @Patch(':id')
  async update(
    @Param('id', IdParam('webhook')) id: string,
    @Body(new ZodPipe(webhookPatchBody)) body: z.infer<typeof webhookPatchBody>,
    @CurrentPrincipal() admin: Principal,
  ): Promise<WebhookDetailResponse> {
    return toWebhookDetailResponse(await this.webhooks.update(id, body, admin.userId));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @Param('id', IdParam('webhook')) id: string,
    @CurrentPrincipal() admin: Principal,
  ): Promise<void> {
    await this.webhooks.delete(id, admin.userId);
  }

  /** The new secret is in this answer only; the old one signs beside it for 24 h. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  rotateSecret(
    @Param('id', IdParam('webhook')) id: string,
    @CurrentPrincipal() admin: Principal,
  ): Promise<{ secret: string }> {
    return this.webhooks.rotateSecret(id, admin.userId);
  }

  @Post(':id/test')
  @HttpCode(202)
  async test(
    @Param('id', IdParam('webhook')) id: string,
    @CurrentPrincipal() admin: Principal,
  ): Promise<{ delivery_id: string }> {
    return { delivery_id: await this.deliveries.sendTest(id, admin.userId) };
  }

  @Get(':id/deliveries')
  async listDeliveries(
    @Param('id', IdParam('webhook')) id: string,
    @Query(new ZodPipe(webhookDeliveriesQuery)) query: z.infer<typeof webhookDeliveriesQuery>,
  ): Promise<ReturnType<typeof toWebhookDeliveryPage>> {
    return toWebhookDeliveryPage(await this.deliveries.list(id, query));
  }

  @Post(':id/deliveries/:delivery_id/retry')
  @HttpCode(202)
  async retry(
    @Param('id', IdParam('webhook')) id: string,
    @Param('delivery_id', IdParam('delivery')) deliveryId: string,
  ): Promise<void> {
    await this.deliveries.retry(id, deliveryId);
  }
}
