import { z } from 'zod';
import { IdempotencyKey, objectId, trimmed } from '../core/validate';
import { PhotoIds } from '../photos';
import { EditVersion } from '../news';
import { CONSULTATION_STATES } from './model';

/** The consultations' shapes, defined once: the routes validate with them and the apps import their types. */
export const CONSULTATION_STATE_LABELS: Record<(typeof CONSULTATION_STATES)[number], string> = { pending: '待审核', open: '投票中', closed: '已结束', rejected: '未通过' };

/** Longest a consultation may stay open: a decision a season away is not a vote but a survey. */
export const MAX_OPEN_DAYS = 90;

export const CreateConsultationBody = z
  .strictObject({
    title: trimmed(4, 60),
    description: trimmed(0, 2000).default(''),
    photoIds: PhotoIds.default([]),
    options: z.array(trimmed(1, 40)).min(2, '至少两个选项').max(10, '最多十个选项'),
    /** 1: one choice; more: up to that many. */
    maxChoices: z.number().int().min(1).default(1),
    /** A community, a township or the county (county-wide ones wait for a reviewer). */
    regionId: objectId,
    closesAt: z.iso.datetime({ offset: true }),
    idempotencyKey: IdempotencyKey,
  })
  .superRefine((b, ctx) => {
    if (b.maxChoices > b.options.length) ctx.addIssue({ code: 'custom', path: ['maxChoices'], message: '可选数量不能多于选项数' });
    const seen = new Set<string>();
    b.options.forEach((o, i) => {
      if (seen.has(o)) ctx.addIssue({ code: 'custom', path: ['options', i], message: '选项重复' });
      seen.add(o);
    });
  });
export type CreateConsultationBody = z.infer<typeof CreateConsultationBody>;

export const ListConsultationsQuery = z.strictObject({
  /** open: 投票中 (default); closed: 已结束; pending: 待审核 (reviewers and the writers). */
  state: z.enum(['open', 'closed', 'pending']).default('open'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type ListConsultationsQuery = z.infer<typeof ListConsultationsQuery>;

export const VoteBody = z.strictObject({ choices: z.array(z.number().int().min(1)).min(1, '请至少选择一项').max(10) });
export type VoteBody = z.infer<typeof VoteBody>;

const version = { version: EditVersion.optional() };
export const ConsultationMoveBodies = {
  approve: z.strictObject({ ...version }),
  reject: z.strictObject({ ...version, reason: trimmed(2, 200) }),
  close: z.strictObject({ ...version }),
  decision: z.strictObject({ ...version, body: trimmed(2, 2000) }),
};

export const OptionResult = z.object({ no: z.number().int(), text: z.string(), votes: z.number().int(), share: z.number() });

export const ConsultationSummary = z.object({
  id: z.string(),
  number: z.number().int(),
  title: z.string(),
  regionName: z.string(),
  state: z.enum(CONSULTATION_STATES),
  stateLabel: z.string(),
  closesAt: z.string(),
  voters: z.number().int(),
});
export type ConsultationSummary = z.infer<typeof ConsultationSummary>;
export const ConsultationPage = z.object({ items: z.array(ConsultationSummary), nextCursor: z.string().nullable() });
export type ConsultationPage = z.infer<typeof ConsultationPage>;

export const ConsultationDetail = ConsultationSummary.extend({
  description: z.string(),
  photoIds: z.array(z.string()),
  maxChoices: z.number().int(),
  /** Counts per option: live while open, the closing recount once closed. Never who voted what. */
  options: z.array(OptionResult),
  /** The residents in scope when it opened; turnout = voters / eligible (null when none were registered). */
  eligible: z.number().int(),
  turnout: z.number().nullable(),
  final: z.boolean(),
  /** The caller's own choices (only ever their own), null when they have not voted or are not signed in. */
  myChoices: z.array(z.number().int()).nullable(),
  /** Whether the caller may vote now (signed-in resident whose community is in scope, open, before closing). */
  mayVote: z.boolean(),
  createdByName: z.string(),
  rejectReason: z.string().nullable(),
  decisionNoticeId: z.string().nullable(),
  version: z.number().int(),
});
export type ConsultationDetail = z.infer<typeof ConsultationDetail>;

export const MyVote = z.object({ choices: z.array(z.number().int()), changed: z.boolean() });
export type MyVote = z.infer<typeof MyVote>;

/** The bot's vote: a group member's `投票 2` / `投票 12 1 3` in a bound room. */
export const BotVoteBody = z.strictObject({
  roomId: z.string().min(1).max(200),
  contactId: z.string().min(1).max(200),
  /** The consultation's short number when the member named one (several open in the room). */
  number: z.number().int().min(1).optional(),
  choices: z.array(z.number().int().min(1)).min(1).max(10),
});
export type BotVoteBody = z.infer<typeof BotVoteBody>;

/** What the bot may say back (batched): which consultation, whether it was a change. Never the choice. */
export const BotVoteReceipt = z.object({ number: z.number().int(), title: z.string(), changed: z.boolean() });
export type BotVoteReceipt = z.infer<typeof BotVoteReceipt>;

/** The bot sends the votes of a room gathered over a few seconds at once, and confirms them in one message. */
export const BotVoteBatchBody = z.strictObject({
  votes: z.array(BotVoteBody.extend({ messageId: z.string().min(1).max(200) })).min(1).max(200),
});
export type BotVoteBatchBody = z.infer<typeof BotVoteBatchBody>;
export const BotVoteResult = z.object({
  messageId: z.string(),
  receipt: BotVoteReceipt.nullable(),
  /** Why the vote was not counted (status and a Chinese message the bot may say), null when it was. */
  error: z.object({ status: z.number().int(), code: z.string(), message: z.string() }).nullable(),
});
export const BotVoteBatchResult = z.object({ results: z.array(BotVoteResult) });
export type BotVoteBatchResult = z.infer<typeof BotVoteBatchResult>;
