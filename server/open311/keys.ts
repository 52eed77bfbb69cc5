/**
 * Open311 API keys: issued and revoked by admins (routes.ts), checked on every filing
 * (georeport.ts). The key is 32 random bytes, shown once; only its SHA-256 is stored, so a copy
 * of the database gives no key that files.
 */
import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { notFound } from '../core/errors';
import { hashIssuedKey as hashKey, newIssuedKey } from '../core/issued-keys';
import type { AuthUser } from '../core/route';
import { auditService } from '../audit';
import { open311Models, type Open311KeyDoc } from './model';
import type { IssueOpen311KeyBody, IssuedOpen311Key, Open311Key, Open311KeyList } from './schemas';


const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toKeyDto(k: Open311KeyDoc): Open311Key {
  return {
    id: String(k._id),
    name: k.name,
    owner: k.owner,
    prefix: k.prefix,
    perHour: k.perHour,
    createdByName: k.createdByName,
    createdAt: k.createdAt.toISOString(),
    revokedAt: iso(k.revokedAt),
    revokedByName: k.revokedByName,
    lastUsedAt: iso(k.lastUsedAt),
  };
}

/** A key that may file: its id (the filing account), name and hourly budget. */
export interface ActiveKey {
  id: Types.ObjectId;
  name: string;
  perHour: number;
}

export function open311Keys(ctx: AppContext) {
  const { Open311Key } = open311Models(ctx.conn);
  const audit = auditService(ctx);
  return {
    /** Every key, newest first (a county issues a handful: read whole). */
    async list(): Promise<Open311KeyList> {
      const docs = await Open311Key.find().sort({ _id: -1 }).lean<Open311KeyDoc[]>();
      return { items: docs.map(toKeyDto) };
    },

    async issue(user: AuthUser, body: IssueOpen311KeyBody): Promise<IssuedOpen311Key> {
      const apiKey = newIssuedKey('o311_');
      const doc = await Open311Key.create({
        name: body.name,
        owner: body.owner,
        perHour: body.perHour,
        keyHash: hashKey(apiKey),
        prefix: apiKey.slice(0, 10),
        createdById: user.id,
        createdByName: user.name,
      });
      await audit.record(user.id, 'open311.key.issue', 'open311key', String(doc._id));
      return { key: toKeyDto(doc.toObject()), apiKey };
    },

    /** Revoked at once for every process: each filing reads the key (no cache). A second revoke changes nothing. */
    async revoke(user: AuthUser, id: string): Promise<Open311Key> {
      const doc = await Open311Key.findOneAndUpdate({ _id: id, revokedAt: null }, { $set: { revokedAt: ctx.now(), revokedByName: user.name } }, { returnDocument: 'after' }).lean<Open311KeyDoc>();
      const current = doc ?? (await Open311Key.findById(id).lean<Open311KeyDoc>());
      if (!current) throw notFound('API 密钥');
      if (doc) await audit.record(user.id, 'open311.key.revoke', 'open311key', id);
      return toKeyDto(current);
    },

    /** The key that may file, or null for an unknown or revoked key. */
    async verify(apiKey: string): Promise<ActiveKey | null> {
      const doc = await Open311Key.findOneAndUpdate({ keyHash: hashKey(apiKey), revokedAt: null }, { $set: { lastUsedAt: ctx.now() } }, { returnDocument: 'after' }).lean<Open311KeyDoc>();
      if (!doc) return null;
      return { id: doc._id, name: doc.name, perHour: doc.perHour };
    },
  };
}
export type Open311Keys = ReturnType<typeof open311Keys>;
