/**
 * Big screens' keys (数据大屏): an admin issues one per display (routes.ts), the display sends it
 * as `X-Screen-Key` and reads the county's dashboard, nothing else. 32 random bytes shown once;
 * only the SHA-256 is stored, so a copy of the database opens no screen. A revoked key stops at
 * the display's next refresh.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import { AppError, notFound } from '../core/errors';
import { hashIssuedKey as hashOf, newIssuedKey } from '../core/issued-keys';
import type { AuthUser } from '../core/route';
import { auditService } from '../audit';
import { measureModels, type ScreenKeyDoc } from './model';
import type { IssueScreenKeyBody, IssuedScreenKey, ScreenKey, ScreenKeyList } from './schemas';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** lastUsedAt is written at most this often per screen (each screen refreshes every minute). */
const TOUCH_MS = 10 * 60 * 1000;

const toDto = (k: ScreenKeyDoc): ScreenKey => ({
  id: String(k._id),
  name: k.name,
  prefix: k.prefix,
  createdByName: k.createdByName,
  createdAt: k.createdAt.toISOString(),
  revokedAt: iso(k.revokedAt),
  revokedByName: k.revokedByName,
  lastUsedAt: iso(k.lastUsedAt),
});

export const screenKeyMissing = () => new AppError(401, 'INVALID_KEY', '大屏密钥无效或已停用，请向管理员索取新的大屏链接');

export function screenKeys(ctx: AppContext) {
  const { ScreenKey: Keys } = measureModels(ctx.conn);
  const audit = auditService(ctx);
  return {
    async list(): Promise<ScreenKeyList> {
      return { items: (await Keys.find().sort({ _id: -1 }).lean<ScreenKeyDoc[]>()).map(toDto) };
    },

    async issue(user: AuthUser, body: IssueScreenKeyBody): Promise<IssuedScreenKey> {
      const key = newIssuedKey('scr_');
      const doc = await Keys.create({ name: body.name, keyHash: hashOf(key), prefix: key.slice(0, 8), createdById: new Types.ObjectId(user.id), createdByName: user.name });
      await audit.record(user.id, 'screen_key.issue', 'screen_key', String(doc._id));
      return { screen: toDto(doc.toObject() as ScreenKeyDoc), key };
    },

    async revoke(user: AuthUser, id: string): Promise<ScreenKey> {
      const doc = await Keys.findOneAndUpdate({ _id: id, revokedAt: null }, { $set: { revokedAt: ctx.now(), revokedByName: user.name } }, { returnDocument: 'after' }).lean<ScreenKeyDoc>();
      if (!doc) {
        const known = await Keys.findById(id).lean<ScreenKeyDoc>();
        if (!known) throw notFound('大屏密钥');
        return toDto(known);
      }
      await audit.record(user.id, 'screen_key.revoke', 'screen_key', id);
      return toDto(doc);
    },

    /** Admits a screen's request, or 401. */
    async admit(key: string | undefined): Promise<void> {
      if (!key || key.length > 200) throw screenKeyMissing();
      const doc = await Keys.findOne({ keyHash: hashOf(key), revokedAt: null }, { lastUsedAt: 1 }).lean<Pick<ScreenKeyDoc, '_id' | 'lastUsedAt'>>();
      if (!doc) throw screenKeyMissing();
      const now = ctx.now();
      if (!doc.lastUsedAt || now.getTime() - doc.lastUsedAt.getTime() > TOUCH_MS) await Keys.updateOne({ _id: doc._id }, { $set: { lastUsedAt: now } });
    },
  };
}
