/**
 * The public board's shapes (公开诉求, board.ts): what anyone, signed in or not, reads of an
 * answered appeal its reporter made public, and the dispatcher's 撤下 (take off the board).
 * The mini-program imports these types; the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { objectId, trimmed } from '../core/validate';
import { PhotoRef } from '../photos';
import { AppealDetail, AppealSummary } from './schemas';

/** The states an appeal is on the board in: answered (答复), or answered and ended (办结). */
export const BOARD_STATES = ['replied', 'closed'] as const;

export const BoardQuery = z.strictObject({
  categoryId: objectId.optional(),
  /** A community (社区/村) or any region above or below it: its appeals and those of its grids. */
  regionId: objectId.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type BoardQuery = z.infer<typeof BoardQuery>;

/**
 * One board row: people masked or by role (people/privacy.ts's one rule), no phone, phone, ID and
 * house numbers and names masked in the text, no place or point, photos as display copies (no EXIF).
 */
export const BoardItem = AppealSummary.pick({
  id: true,
  number: true,
  kind: true,
  kindLabel: true,
  state: true,
  stateLabel: true,
  categoryId: true,
  categoryName: true,
  regionId: true,
  regionName: true,
  /** 张* or 匿名. */
  reporterName: true,
  /** The first 80 characters of the question, masked. */
  excerpt: true,
  thumbUrl: true,
  submittedAt: true,
  followersCount: true,
}).extend({
  /** The unit that answered (承办单位). */
  departmentName: z.string().nullable(),
  /** The first 80 characters of the official answer, masked. */
  answerExcerpt: z.string(),
  answeredAt: z.string(),
  closedAt: z.string().nullable(),
  rating: AppealDetail.shape.rating.unwrap().pick({ resolved: true, satisfaction: true, satisfactionLabel: true }).nullable(),
});
export type BoardItem = z.infer<typeof BoardItem>;

export const BoardPage = z.object({ items: z.array(BoardItem), nextCursor: z.string().nullable() });
export type BoardPage = z.infer<typeof BoardPage>;

/** One board item in full: the question and the answer (masked), their photos, the rating's comment. */
export const BoardDetail = BoardItem.extend({
  description: z.string(),
  photos: z.array(PhotoRef),
  answer: AppealDetail.shape.answer.unwrap(),
  rating: AppealDetail.shape.rating,
});
export type BoardDetail = z.infer<typeof BoardDetail>;

/**
 * 撤下: a dispatcher takes an answered public appeal off the board, saying why; `version` is the
 * appeal's version (AppealDetail.version) the decision was made on: a stale one is a 409.
 */
export const UnpublishBody = z.strictObject({ reason: trimmed(2, 200), version: z.number().int().min(0) });
export type UnpublishBody = z.infer<typeof UnpublishBody>;
