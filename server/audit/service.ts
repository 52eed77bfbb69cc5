import type { AppContext } from '../context';
import { auditModels } from './model';

/** Where an action came from when it arrived through the bot. */
export interface AuditContext {
  actorContactId?: string | null;
  chatId?: string | null;
  details?: Record<string, string | null> | null;
}

export function auditService(ctx: AppContext) {
  return {
    async record(actorId: string, action: string, targetType: string, targetId: string, context: AuditContext = {}): Promise<void> {
      await auditModels(ctx.conn).Audit.create({
        actorId,
        action,
        targetType,
        targetId,
        actorContactId: context.actorContactId ?? null,
        chatId: context.chatId ?? null,
        details: context.details ?? null,
      });
    },
  };
}
