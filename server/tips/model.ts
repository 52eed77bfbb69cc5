import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';

/** `moved`: staff moved it into the appeal loop (tip-appeal-moves.ts); final, like used and declined. */
export const TIP_STATES = ['new', 'taken', 'used', 'declined', 'moved'] as const;
export type TipState = (typeof TIP_STATES)[number];
/** `to_appeal`: the newsroom filed it as an appeal; `from_appeal`: a dispatcher sent an appeal here as a tip. */
export const TIP_ACTIONS = ['submit', 'take', 'decline', 'reply', 'use', 'draft', 'to_appeal', 'from_appeal'] as const;
export type TipAction = (typeof TIP_ACTIONS)[number];

/**
 * Where the tip was said: the mini-program, a WeChat chat through the bot, or (a tip made from an
 * appeal, which keeps its channel) a grid worker's 代报, a hotline call or an Open311 client.
 */
export const TIP_CHANNELS = ['miniprogram', 'bot', 'grid_worker', 'hotline', 'open311'] as const;
export type TipChannel = (typeof TIP_CHANNELS)[number];

/**
 * A move of the tip into the appeal loop, recorded before the appeal is filed (the claim): who
 * made it on which version and what they asked for, so a retry after a crash files the same
 * appeal (same submitter and key) instead of a second one.
 */
export interface TipToAppeal {
  version: number;
  from: TipState;
  byId: Types.ObjectId;
  byName: string;
  byRole: string;
  regionId: string;
  kind: string;
  categoryId: string | null;
}

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
  channel: TipChannel;
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
  /**
   * The appeal linked with it: the one it became (state `moved`), or the one it was made from
   * (`fromAppeal`). Its number is kept to tell the tipster and to show without reading the appeal.
   */
  appealId: Types.ObjectId | null;
  appealNumber: string | null;
  fromAppeal: boolean;
  toAppeal: TipToAppeal | null;
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
    channel: { type: String, enum: TIP_CHANNELS, required: true },
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
    appealId: { type: Schema.Types.ObjectId, default: null },
    appealNumber: { type: String, default: null },
    fromAppeal: { type: Boolean, default: false },
    toAppeal: {
      type: new Schema<TipToAppeal>(
        {
          version: { type: Number, required: true },
          from: { type: String, enum: TIP_STATES, required: true },
          byId: { type: Schema.Types.ObjectId, required: true },
          byName: { type: String, required: true },
          byRole: { type: String, required: true },
          regionId: { type: String, required: true },
          kind: { type: String, required: true },
          categoryId: { type: String, default: null },
        },
        { _id: false },
      ),
      default: null,
    },
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
