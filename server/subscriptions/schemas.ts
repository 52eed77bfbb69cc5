import { z } from 'zod';
import { IdempotencyKey } from '../core/validate';

/**
 * Subscribe messages (订阅消息) as the app sees them: which templates to ask for, what the user
 * answered, how many messages each template may still carry. Defined once; the mini-program
 * imports the types.
 */
export const SUBSCRIPTION_TEMPLATES = ['appeal_progress'] as const;
export const SubscriptionTemplate = z.enum(SUBSCRIPTION_TEMPLATES);
export type SubscriptionTemplate = z.infer<typeof SubscriptionTemplate>;

/** What the app shows beside each template (the subscribe button's line). */
export const TEMPLATE_TITLES: Record<SubscriptionTemplate, string> = { appeal_progress: '诉求进度提醒' };

/** WeChat's template ids: letters, digits, `_` and `-` (43 characters today). */
const TemplateId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, '模板编号格式不正确');

export const SubscriptionTemplateInfo = z.object({ template: SubscriptionTemplate, templateId: z.string(), title: z.string() });
/** `GET /subscriptions/templates`: empty when WeChat or the template is not configured (then the app asks nothing). */
export const SubscriptionTemplateList = z.object({ items: z.array(SubscriptionTemplateInfo) });
export type SubscriptionTemplateList = z.infer<typeof SubscriptionTemplateList>;

/**
 * What `requestSubscribeMessage` answered, reported by the app: per template id `accept`,
 * `reject`, `ban` (blocked by WeChat) or `filter` (WeChat left it out). Only `accept` is a grant.
 */
export const GRANT_ANSWERS = ['accept', 'reject', 'ban', 'filter'] as const;
export const RecordGrantsBody = z
  .strictObject({
    /** One per requestSubscribeMessage: a retried report with the same key records nothing twice. */
    idempotencyKey: IdempotencyKey,
    /** The ids asked for (WeChat takes at most 3 at once). */
    templateIds: z.array(TemplateId).min(1).max(3),
    result: z.record(TemplateId, z.enum(GRANT_ANSWERS)),
  })
  .superRefine((body, ctx) => {
    for (const id of Object.keys(body.result ?? {})) {
      if (!body.templateIds.includes(id)) ctx.addIssue({ code: 'custom', path: ['result', id], message: '结果中的模板不在本次申请的模板中' });
    }
  });
export type RecordGrantsBody = z.infer<typeof RecordGrantsBody>;

export const GrantCount = z.object({ template: SubscriptionTemplate, templateId: z.string(), title: z.string(), remaining: z.number().int().min(0) });
/** `GET /subscriptions/grants` (and the answer to a report): the caller's unused grants per configured template. */
export const GrantCounts = z.object({ items: z.array(GrantCount) });
export type GrantCounts = z.infer<typeof GrantCounts>;
