import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';

export const TIP_STATES = ['new', 'taken', 'used', 'declined'] as const;
export type TipState = (typeof TIP_STATES)[number];
export const TIP_ACTIONS = ['submit', 'take', 'decline', 'reply', 'use', 'draft'] as const;
export type TipAction = (typeof TIP_ACTIONS)[number];

/** One step in a tip's life: who (a resident or a member of the newsroom), when, what. */
export interface TipEvent {
  _id: Types.ObjectId;
  at: Date;
  action: TipAction;
  byId: Types.ObjectId;
  byName: string;
  /** `public` for the tipster, `staff` for the newsroom (the appearance rule, people/privacy.ts). */
  byKind: 'public' | 'staff';
  byRole: string | null;
  from: TipState | null;
  to: TipState;
  /** The reply's text, a decline's reason, the article's id. */
  note: string | null;
}

/**
 * A news tip (爆料): a resident's clue and pictures for the newsroom. Private to the tipster and
 * the newsroom (editors, reviewers); never in an appeal list or anything public. Moves carry the
 * `version` they were made on (a stale one is a 409). Embeds its history (single-document writes).
 */
export interface TipDoc {
  _id: Types.ObjectId;
  text: string;
  photoIds: string[];
  place: string | null;
  happenedAt: Date | null;
  /** The newsroom may contact the tipster: only then does it see their name and phone. */
  mayContact: boolean;
  /** A published article may credit the tipster by name. */
  mayCredit: boolean;
  state: TipState;
  channel: 'miniprogram' | 'bot';
  tipsterId: Types.ObjectId;
  tipsterName: string;
  tipsterPhone: string | null;
  /**
   * A tip through the bot: the group it was said in (null: a private chat with the bot) and the
   * WeChat contact who said it, so a reply goes back to that chat.
   */
  roomId: string | null;
  contactId: string | null;
  idempotencyKey: string;
  requestHash: string;
  takenById: Types.ObjectId | null;
  takenByName: string | null;
  declineReason: string | null;
  /** The published article that used it. */
  articleId: Types.ObjectId | null;
  /** The draft written from it (the article keeps `tipId`). */
  draftArticleId: Types.ObjectId | null;
  history: TipEvent[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const eventSchema = new Schema<TipEvent>({
  at: { type: Date, required: true },
  action: { type: String, enum: TIP_ACTIONS, required: true },
  byId: { type: Schema.Types.ObjectId, required: true },
  byName: { type: String, required: true },
  byKind: { type: String, enum: ['public', 'staff'], required: true },
  byRole: { type: String, default: null },
  from: { type: String, default: null },
  to: { type: String, required: true },
  note: { type: String, default: null },
});

export const tipSchema = new Schema<TipDoc>(
  {
    text: { type: String, required: true },
    photoIds: { type: [String], default: [] },
    place: { type: String, default: null },
    happenedAt: { type: Date, default: null },
    mayContact: { type: Boolean, required: true },
    mayCredit: { type: Boolean, required: true },
    state: { type: String, enum: TIP_STATES, required: true },
    channel: { type: String, enum: ['miniprogram', 'bot'], required: true },
    tipsterId: { type: Schema.Types.ObjectId, required: true },
    tipsterName: { type: String, required: true },
    tipsterPhone: { type: String, default: null },
    roomId: { type: String, default: null },
    contactId: { type: String, default: null },
    idempotencyKey: { type: String, required: true },
    requestHash: { type: String, required: true },
    takenById: { type: Schema.Types.ObjectId, default: null },
    takenByName: { type: String, default: null },
    declineReason: { type: String, default: null },
    articleId: { type: Schema.Types.ObjectId, default: null },
    draftArticleId: { type: Schema.Types.ObjectId, default: null },
    history: { type: [eventSchema], default: [] },
    version: { type: Number, required: true, default: 0 },
  },
  baseOptions,
);
// A retry of one submission (the same tipster and key) finds the first tip; two racing copies: one wins.
tipSchema.index({ tipsterId: 1, idempotencyKey: 1 }, { unique: true });
// The tipster's own list, newest first.
tipSchema.index({ tipsterId: 1, _id: -1 });
// The newsroom's queue by state, newest first (the whole queue pages by `_id` alone).
tipSchema.index({ state: 1, _id: -1 });
// The photos feature asks which tips show a photo.
tipSchema.index({ photoIds: 1 });
// A photo through the bot joins the latest tip of its sender in that chat (bot-routes.ts).
tipSchema.index({ contactId: 1, _id: -1 });

/** This feature's collection on a connection. Only code in this folder uses it; others call the face (index.ts). */
export function tipModels(conn: Connection) {
  return {
    Tip: ownModel(conn, 'Tip', tipSchema),
  };
}
