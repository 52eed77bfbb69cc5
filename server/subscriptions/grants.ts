/**
 * One-time subscribe grants (一次性订阅消息): WeChat lets the server send a user one message per
 * time they tapped 允许 for a template in `requestSubscribeMessage`. The app reports each answer
 * here; the outbox's deliverer consumes one grant per message it sends, and sends nothing (the
 * record is marked skipped) when none is left, instead of letting WeChat refuse it with 43101.
 *
 * Single-document atomicity is enough: a grant is a document, recorded once per (user, app key,
 * template) by a unique index, and consumed by one conditional findOneAndUpdate, so two processes
 * delivering at once never spend one grant twice.
 */
import type { AppContext } from '../context';
import { isDuplicateKeyError } from '../core/errors';
import { subscriptionModels, type SubscriptionGrantDoc } from './model';
import { SUBSCRIPTION_TEMPLATES, TEMPLATE_TITLES, type GrantCounts, type RecordGrantsBody, type SubscriptionTemplate } from './schemas';

export interface TemplateInfo {
  template: SubscriptionTemplate;
  templateId: string;
  title: string;
}

/**
 * The templates this deployment sends with: WeChat configured (the app id and secret the sender
 * needs) and the template's id set. Empty otherwise: then the app asks for nothing.
 */
export function configuredTemplates(ctx: Pick<AppContext, 'config'>): TemplateInfo[] {
  if (!ctx.config.wechat) return [];
  return SUBSCRIPTION_TEMPLATES.flatMap((template) => {
    const templateId = ctx.config.subscribeTemplates?.[template];
    return templateId ? [{ template, templateId, title: TEMPLATE_TITLES[template] }] : [];
  });
}

export function subscriptionGrants(ctx: AppContext) {
  const { SubscriptionGrant } = subscriptionModels(ctx.conn);

  /** The caller's unused grants for each configured template (zeros included). */
  async function counts(userId: string): Promise<GrantCounts> {
    const items = [];
    for (const t of configuredTemplates(ctx)) {
      items.push({ ...t, remaining: await SubscriptionGrant.countDocuments({ userId, templateId: t.templateId, consumedAt: null }) });
    }
    return { items };
  }

  return {
    templates: () => configuredTemplates(ctx),
    counts,

    /**
     * Records what the user answered: one grant per accepted, configured template. `reject`,
     * `ban` and `filter` record nothing, nor does a template id this deployment does not send
     * with (an app that asked for a template the county has since replaced). The same
     * idempotencyKey again (the app retried a report whose answer was lost) adds nothing.
     */
    async record(userId: string, body: RecordGrantsBody): Promise<GrantCounts> {
      const known = new Map(configuredTemplates(ctx).map((t) => [t.templateId, t.template]));
      const now = ctx.now();
      const docs = Object.entries(body.result)
        .filter(([id, answer]) => answer === 'accept' && known.has(id))
        .map(([templateId]) => ({ userId, template: known.get(templateId)!, templateId, idempotencyKey: body.idempotencyKey, grantedAt: now, consumedAt: null, consumedFor: null }));
      if (docs.length > 0) {
        try {
          await SubscriptionGrant.insertMany(docs, { ordered: false });
        } catch (err) {
          const writeErrors = (err as { writeErrors?: unknown[] }).writeErrors;
          const duplicatesOnly = Array.isArray(writeErrors) ? writeErrors.length > 0 && writeErrors.every((e) => isDuplicateKeyError((e as { err?: unknown }).err ?? e)) : isDuplicateKeyError(err);
          if (!duplicatesOnly) throw err;
        }
      }
      return counts(userId);
    },

    /**
     * Takes one unused grant of `userId` for `template` to send the message `forKey` (an outbox
     * record's id), oldest first. The same `forKey` again (a retried delivery) gets the grant it
     * took before, never a second. False: no grant, so the message must not be sent.
     */
    async consume(userId: string, template: SubscriptionTemplate, forKey: string): Promise<boolean> {
      const t = configuredTemplates(ctx).find((x) => x.template === template);
      if (!t) return false;
      if (await SubscriptionGrant.exists({ consumedFor: forKey })) return true;
      const taken = await SubscriptionGrant.findOneAndUpdate(
        { userId, templateId: t.templateId, consumedAt: null },
        { $set: { consumedAt: ctx.now(), consumedFor: forKey } },
        { sort: { grantedAt: 1, _id: 1 }, returnDocument: 'after' },
      ).lean<SubscriptionGrantDoc>();
      return taken !== null;
    },
  };
}
export type SubscriptionGrants = ReturnType<typeof subscriptionGrants>;
