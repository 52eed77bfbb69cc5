import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';

export const CONSULTATION_STATES = ['pending', 'open', 'closed', 'rejected'] as const;
export type ConsultationState = (typeof CONSULTATION_STATES)[number];
export const VOTE_CHANNELS = ['miniprogram', 'group_chat'] as const;
export type VoteChannel = (typeof VOTE_CHANNELS)[number];

/** One option; `no` is what a group member replies (`投票 2`), from 1. */
export interface ConsultationOption {
  no: number;
  text: string;
}

/**
 * A consultation (议事): a question community staff (or a township's, or the county's, with a
 * reviewer's approval) put to the residents of their region, with options, one choice or several,
 * and a closing time. Open ones take votes in the mini-program and in every bound group chat in
 * scope. Counts are kept on this document (`counts`, `voters`) by each vote's increments, so the
 * results are one read at any size; the closing recount from the ballots makes the final figures
 * exact even if a process died between a ballot and its increment.
 */
export interface ConsultationDoc {
  _id: Types.ObjectId;
  /** Short number residents type in a group where several are open (`投票 12 2`). */
  number: number;
  title: string;
  description: string;
  photoIds: string[];
  options: ConsultationOption[];
  /** 1: one choice; more: up to that many options. */
  maxChoices: number;
  regionId: Types.ObjectId;
  regionPath: string;
  regionName: string;
  regionLevel: 'county' | 'township' | 'community';
  state: ConsultationState;
  closesAt: Date;
  openedAt: Date | null;
  closedAt: Date | null;
  /** Per option, keyed `o<no>` (a field name that is not an array index in a path). */
  counts: Record<string, number>;
  /** People who voted (each counted once whatever they chose). */
  voters: number;
  /** The residents whose community was in scope when it opened: turnout's denominator. */
  eligible: number;
  /** Salt of the ballots' ids: a ballot's id names no one in plain sight (ballots.ts). */
  ballotSalt: string;
  createdById: Types.ObjectId;
  createdByName: string;
  /** The role they opened it in: members of the public see that, not the name (people/privacy.ts). */
  createdByRole: 'community_staff' | 'dispatcher' | 'reviewer' | 'admin';
  reviewedById: Types.ObjectId | null;
  reviewedByName: string | null;
  rejectReason: string | null;
  /** The notice that published the community's decision. */
  decisionNoticeId: Types.ObjectId | null;
  /** The posts into the bound rooms in scope are enqueued (the sweep finishes a crashed opening). */
  fanOutDone: boolean;
  idempotencyKey: string;
  requestHash: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const optionSchema = new Schema<ConsultationOption>({ no: { type: Number, required: true }, text: { type: String, required: true } }, { _id: false });

export const consultationSchema = new Schema<ConsultationDoc>(
  {
    number: { type: Number, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    photoIds: { type: [String], default: [] },
    options: { type: [optionSchema], required: true },
    maxChoices: { type: Number, required: true },
    regionId: { type: Schema.Types.ObjectId, required: true },
    regionPath: { type: String, required: true },
    regionName: { type: String, required: true },
    regionLevel: { type: String, enum: ['county', 'township', 'community'], required: true },
    state: { type: String, enum: CONSULTATION_STATES, required: true },
    closesAt: { type: Date, required: true },
    openedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    counts: { type: Schema.Types.Mixed, default: {} },
    voters: { type: Number, default: 0 },
    eligible: { type: Number, default: 0 },
    ballotSalt: { type: String, required: true },
    createdById: { type: Schema.Types.ObjectId, required: true },
    createdByName: { type: String, required: true },
    createdByRole: { type: String, default: 'community_staff' },
    reviewedById: { type: Schema.Types.ObjectId, default: null },
    reviewedByName: { type: String, default: null },
    rejectReason: { type: String, default: null },
    decisionNoticeId: { type: Schema.Types.ObjectId, default: null },
    fanOutDone: { type: Boolean, default: false },
    idempotencyKey: { type: String, required: true },
    requestHash: { type: String, required: true },
    version: { type: Number, default: 0 },
  },
  { ...baseOptions, minimize: false },
);
// A retried create (same writer and key) finds the first one.
consultationSchema.index({ createdById: 1, idempotencyKey: 1 }, { unique: true });
consultationSchema.index({ number: 1 }, { unique: true });
// Lists by state, newest first; a resident's (their community and the regions above it, by
// path), and the open ones a group chat's vote may mean; a writer's own pending ones.
consultationSchema.index({ state: 1, _id: -1 });
consultationSchema.index({ regionPath: 1, state: 1, _id: -1 });
consultationSchema.index({ createdById: 1, _id: -1 });
// The closer's due ones; the sweep's unfinished fan-outs.
consultationSchema.index({ state: 1, closesAt: 1 });
consultationSchema.index({ state: 1, fanOutDone: 1 });
// The photos feature asks which consultations show a photo.
consultationSchema.index({ photoIds: 1 });

/**
 * A ballot: one per person and consultation, its `_id` a salted hash of the consultation and the
 * voter (`u:<account>` or `c:<WeChat contact>`, ballots.ts), so the unique `_id` makes one vote
 * per person under any concurrency, and a changed vote replaces the ballot. It holds no name, no
 * account, no contact: who voted what is not in the database in plain sight.
 */
export interface BallotDoc {
  _id: string;
  consultationId: Types.ObjectId;
  choices: number[];
  channel: VoteChannel;
  /** Increments on each change: the count of changes, and what makes two racing changes ordered. */
  changes: number;
  at: Date;
}

export const ballotSchema = new Schema<BallotDoc>(
  {
    _id: { type: String, required: true },
    consultationId: { type: Schema.Types.ObjectId, required: true },
    choices: { type: [Number], required: true },
    channel: { type: String, enum: VOTE_CHANNELS, required: true },
    changes: { type: Number, default: 0 },
    at: { type: Date, required: true },
  },
  { ...baseOptions, timestamps: false },
);
// The closing recount reads one consultation's ballots.
ballotSchema.index({ consultationId: 1 });

/** A counter for the consultations' short numbers. */
interface CounterDoc {
  _id: string;
  seq: number;
}
const counterSchema = new Schema<CounterDoc>({ _id: { type: String, required: true }, seq: { type: Number, default: 0 } }, { versionKey: false, autoIndex: false });

/** This feature's collections on a connection. Only code in this folder uses them; others call the face (index.ts). */
export function consultationModels(conn: Connection) {
  return {
    Consultation: ownModel(conn, 'Consultation', consultationSchema),
    Ballot: ownModel(conn, 'ConsultationBallot', ballotSchema),
    ConsultationCounter: ownModel(conn, 'ConsultationCounter', counterSchema),
  };
}
