import { Controller, Get, Query } from '@nestjs/common';
import type { z } from 'zod';
import { type AuditPage, AuditService } from '@identity/audit';
import { ZodPipe } from '../validation/zod-body.pipe';
import { auditQuery } from '../validation/admin.schemas';
import { AdminOnly } from './admin-access.decorator';

/** The audit trail, newest first, with keyset pagination (`before` = previous `next_before`). */
@Controller('admin/audit')
@AdminOnly()
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  /** `AuditService` already answers in API.md's shape (`AuditItem` is the wire format). */
  @Get()
  list(@Query(new ZodPipe(auditQuery)) query: z.infer<typeof auditQuery>): Promise<AuditPage> {
    return this.audit.list({
      userId: query.user_id,
      type: query.type,
      before: query.before,
      limit: query.limit,
    });
  }
}
