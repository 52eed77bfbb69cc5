/**
 * The admins' thresholds of the hot spots: the window in hours, how many similar open appeals make
 * one, how alike two texts must be. One document, versioned like every edit (a stale edit 409, one
 * without a version 428), read through the read cache (its stamp is bumped by every write, so every
 * process reads a new value at once). Without a document, the defaults.
 */
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { isDuplicateKeyError } from '../core/errors';
import { staleVersion } from '../core/versions';
import { Types } from 'mongoose';
import { HOTSPOT_SETTINGS_CACHE, hotspotModels, type HotspotSettingsDoc } from './model';
import type { EditHotspotSettingsBody, HotspotSettings } from './schemas';

export const HOTSPOT_DEFAULTS = { windowHours: 6, minCount: 3, similarity: 0.6 } as const;
const SETTINGS_ID = 'settings';

const toSettings = (d: HotspotSettingsDoc | null): HotspotSettings =>
  d ? { windowHours: d.windowHours, minCount: d.minCount, similarity: d.similarity, version: d.version } : { ...HOTSPOT_DEFAULTS, version: 0 };

export function hotspotSettings(ctx: AppContext) {
  const { HotspotSettings: Settings } = hotspotModels(ctx.conn);
  const load = async () => toSettings(await Settings.findById(SETTINGS_ID).lean<HotspotSettingsDoc>());
  return {
    read: (): Promise<HotspotSettings> => ctx.cache.value({ namespace: HOTSPOT_SETTINGS_CACHE, key: 'settings' }, load),
    /** Admins only (the route's access); `version`: the one the edit was made on (0: the defaults). */
    async edit(user: AuthUser, body: EditHotspotSettingsBody, version: number): Promise<HotspotSettings> {
      const values = { windowHours: body.windowHours, minCount: body.minCount, similarity: body.similarity, updatedById: new Types.ObjectId(user.id) };
      if (version === 0) {
        try {
          return toSettings((await Settings.create({ _id: SETTINGS_ID, ...values, version: 1 })).toObject() as HotspotSettingsDoc);
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
          throw staleVersion((await load()).version);
        }
      }
      const updated = await Settings.findOneAndUpdate({ _id: SETTINGS_ID, version }, { $set: values, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<HotspotSettingsDoc>();
      if (!updated) throw staleVersion((await load()).version);
      return toSettings(updated);
    },
  };
}
