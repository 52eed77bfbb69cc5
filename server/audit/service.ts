import type { AppContext } from '../context';

export function auditService(ctx: AppContext) {
  return {
    async record(actorId: string, action: string, targetType: string, targetId: string): Promise<void> {
      await ctx.models.Audit.create({ actorId, action, targetType, targetId });
    },
  };
}
