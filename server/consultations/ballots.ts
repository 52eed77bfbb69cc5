/**
 * Votes (议事投票): one ballot per person and consultation, whatever the channel.
 *
 * Who a voter is: a signed-in account is `u:<id>`; a group member is their account when their
 * WeChat contact is linked to one, otherwise `c:<contact id>`. A ballot's `_id` is a salted hash
 * of the consultation and that key, so the unique `_id` is the one-vote rule (two channels at
 * once, a retried request, two server processes: one document), a changed vote replaces the
 * ballot, and the collection names no one in plain sight (the salt is the consultation's; someone
 * with the database and the user list could still try every account: the API never shows a
 * ballot to anyone but its voter, which is what keeps votes secret from staff).
 *
 * Linking later never counts a person twice: a vote under an account also removes the ballot its
 * linked contact cast before the link, and `mergeLinked` (run when a contact is linked) keeps the
 * later of the two when both exist.
 *
 * The counts on the consultation follow each ballot by increments computed from the ballot as it
 * was just before this write (findOneAndUpdate returns it atomically), so racing changes of one
 * ballot add up exactly; a process that dies between the two writes leaves the live counts off by
 * that vote until the closing recount (closer.ts), which is what the final result is.
 */
import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { isDuplicateKeyError, rateLimited } from '../core/errors';
import { consultationModels, type BallotDoc, type ConsultationDoc, type VoteChannel } from './model';

/** A person changes their vote at most this often per consultation (a script flipping it all day is refused). */
export const MAX_CHANGES = 20;

export interface Voter {
  /** The account, when the person is signed in or their contact is linked to one. */
  userId: string | null;
  /** Their WeChat contact: the group member, or the contact linked to the account. */
  contactId: string | null;
}

export const countKey = (no: number) => `o${no}`;

export function ballotId(c: Pick<ConsultationDoc, '_id' | 'ballotSalt'>, key: string): string {
  return createHash('sha256').update(`${c.ballotSalt}|${String(c._id)}|${key}`).digest('base64url');
}

/** The voter's own ballot id first, then the one their linked contact may have cast before the link. */
function idsOf(c: ConsultationDoc, v: Voter): { own: string; alias: string | null } {
  if (v.userId) return { own: ballotId(c, `u:${v.userId}`), alias: v.contactId ? ballotId(c, `c:${v.contactId}`) : null };
  if (!v.contactId) throw new Error('a voter needs an account or a contact');
  return { own: ballotId(c, `c:${v.contactId}`), alias: null };
}

export function ballots(ctx: AppContext) {
  const { Ballot, Consultation } = consultationModels(ctx.conn);

  /** Adds `sign` to each chosen option's count (a ballot in or out) into `inc`. */
  function add(inc: Record<string, number>, choices: readonly number[], sign: 1 | -1) {
    for (const no of choices) inc[`counts.${countKey(no)}`] = (inc[`counts.${countKey(no)}`] ?? 0) + sign;
  }

  /** Applies the increments to the live counts, only while the consultation is open (closing sets the recount). */
  async function apply(consultationId: Types.ObjectId, inc: Record<string, number>) {
    const nonZero = Object.fromEntries(Object.entries(inc).filter(([, n]) => n !== 0));
    if (Object.keys(nonZero).length) await Consultation.updateOne({ _id: consultationId, state: 'open' }, { $inc: nonZero });
  }

  /** The ballot written with upsert; returns it as it was before (null when new). A racing first insert: read again. */
  async function upsert(id: string, c: ConsultationDoc, choices: number[], channel: VoteChannel): Promise<BallotDoc | null> {
    const write = () =>
      Ballot.findOneAndUpdate(
        { _id: id },
        { $set: { consultationId: c._id, choices, channel, at: ctx.now() }, $inc: { changes: 1 } },
        { upsert: true, returnDocument: 'before' },
      ).lean<BallotDoc>();
    try {
      return await write();
    } catch (err) {
      // Two first votes of one person at once: one inserted, so this one is now a change of it.
      if (isDuplicateKeyError(err)) return write();
      throw err;
    }
  }

  return {
    /**
     * Casts or changes the voter's ballot (validated choices, an open consultation in the voter's
     * scope: the service checks those). `changed`: the person had voted before.
     */
    async cast(c: ConsultationDoc, voter: Voter, choices: number[], channel: VoteChannel): Promise<{ changed: boolean }> {
      const { own, alias } = idsOf(c, voter);
      const existing = await Ballot.findById(own, { changes: 1 }).lean<Pick<BallotDoc, '_id' | 'changes'>>();
      if (existing && existing.changes > MAX_CHANGES) {
        // A limit that lifts only when the consultation closes: Retry-After says when that is.
        throw rateLimited('修改投票次数过多，本次议事不能再修改', Math.max(1, Math.ceil((c.closesAt.getTime() - ctx.now().getTime()) / 1000)));
      }
      const before = await upsert(own, c, choices, channel);
      const inc: Record<string, number> = {};
      if (before) add(inc, before.choices, -1);
      add(inc, choices, 1);
      let voters = before ? 0 : 1;
      // The same person's group vote from before their contact was linked: this vote replaces it.
      const old = alias ? await Ballot.findOneAndDelete({ _id: alias }).lean<BallotDoc>() : null;
      if (old) {
        add(inc, old.choices, -1);
        voters -= 1;
      }
      inc.voters = voters;
      await apply(c._id, inc);
      return { changed: !!before || !!old };
    },

    /** The voter's own choices (their account's ballot, or the linked contact's from before the link). */
    async mine(c: ConsultationDoc, voter: Voter): Promise<number[] | null> {
      const { own, alias } = idsOf(c, voter);
      const found = await Ballot.find({ _id: { $in: alias ? [own, alias] : [own] } }).lean<BallotDoc[]>();
      const b = found.find((x) => x._id === own) ?? found[0];
      return b ? b.choices : null;
    },

    /**
     * A contact was just linked to an account: where the person voted both ways before, the later
     * ballot stays and the other goes (with its counts). Run over the open consultations.
     */
    async mergeLinked(open: readonly ConsultationDoc[], userId: string, contactId: string): Promise<number> {
      let merged = 0;
      for (const c of open) {
        const u = ballotId(c, `u:${userId}`);
        const k = ballotId(c, `c:${contactId}`);
        const both = await Ballot.find({ _id: { $in: [u, k] } }).lean<BallotDoc[]>();
        if (both.length < 2) continue;
        const older = both[0].at <= both[1].at ? both[0] : both[1];
        const gone = await Ballot.findOneAndDelete({ _id: older._id }).lean<BallotDoc>();
        if (!gone) continue;
        const inc: Record<string, number> = { voters: -1 };
        add(inc, gone.choices, -1);
        await apply(c._id, inc);
        merged++;
      }
      return merged;
    },

    /** The exact counts from the ballots cast before closing: the final result. */
    async recount(c: ConsultationDoc): Promise<{ counts: Record<string, number>; voters: number }> {
      const counts: Record<string, number> = Object.fromEntries(c.options.map((o) => [countKey(o.no), 0]));
      let voters = 0;
      for await (const b of Ballot.find({ consultationId: c._id, at: { $lt: c.closesAt } }, { choices: 1 }).lean<Pick<BallotDoc, 'choices'>[]>().cursor()) {
        voters++;
        for (const no of b.choices) counts[countKey(no)] = (counts[countKey(no)] ?? 0) + 1;
      }
      return { counts, voters };
    },
  };
}
