/**
 * Finding hot spots (高频诉求): a periodic job reads the open appeals filed within the admins'
 * window, groups those of one community (a grid's appeals count for its community) that share a
 * category or whose texts are near-identical (similarity.ts), and makes a group of at least
 * `minCount` a hot spot; an open hot spot grows by the appeals that join its group later.
 *
 * Crash-safe and idempotent across server processes without a lock: every run recomputes from the
 * appeals; a hot spot is created under a unique key (its community and earliest appeal), so two
 * runs at once make one; an appeal's membership is a record keyed by the appeal (one hot spot at
 * most); the size is counted from the memberships; and the flag to staff (flag.ts) is enqueued
 * before `flaggedStep` moves, under outbox dedupe keys per step and recipient, so a run that dies
 * between the two sends nothing twice when the next run repeats it.
 *
 * Appeals of a hot spot already merged or dismissed are left out: a new burst there is a new hot spot.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import { isDuplicateKeyError } from '../core/errors';
import { startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { clusterReads, type ClusterAppeal } from '../appeals';
import { regionLookup } from '../regions';
import { maskPrivateText } from '../people';
import { hotspotModels, type HotspotDoc, type HotspotMemberDoc } from './model';
import { hotspotSettings } from './settings';
import { bigrams, similarGroups } from './similarity';
import { hotspotFlags } from './flag';

const HOUR = 3600_000;
const LABEL_CHARS = 12;

/** The sizes staff are told of: the threshold, then each doubling (3, 6, 12, 24 …). 0 below the threshold. */
export function flagStep(size: number, minCount: number): number {
  if (size < minCount) return 0;
  let step = minCount;
  while (step * 2 <= size) step *= 2;
  return step;
}

/** What the group is about: a category most of it shares, else the start of its earliest text. */
function labelOf(group: readonly ClusterAppeal[]): { label: string; categoryId: string | null } {
  const counts = new Map<string, { n: number; name: string }>();
  for (const a of group) if (a.categoryId && a.categoryName) counts.set(a.categoryId, { n: (counts.get(a.categoryId)?.n ?? 0) + 1, name: a.categoryName });
  const [top] = [...counts.entries()].sort((x, y) => y[1].n - x[1].n);
  if (top && top[1].n * 2 >= group.length) return { label: top[1].name, categoryId: top[0] };
  // Stored and sent in the flag: phones, ID and house numbers masked as in every text that leaves the appeal.
  const chars = Array.from(maskPrivateText(group[0].description).replace(/\s+/g, ''));
  return { label: chars.length > LABEL_CHARS ? `${chars.slice(0, LABEL_CHARS).join('')}…` : chars.join(''), categoryId: null };
}

export interface DetectRun {
  created: number;
  grown: number;
  flagged: number;
}

export function hotspotDetector(ctx: AppContext) {
  const { Hotspot, HotspotMember } = hotspotModels(ctx.conn);
  const reads = clusterReads(ctx);
  const regions = regionLookup(ctx);
  const settings = hotspotSettings(ctx);
  const flags = hotspotFlags(ctx);

  /** The hot spot of this group's key, created if none: a racing run's insert wins and is read back. */
  async function createFor(group: readonly ClusterAppeal[], communityPath: string, windowHours: number): Promise<HotspotDoc | null> {
    const communityId = communityPath.split('/').filter(Boolean)[2];
    const key = `${communityId}:${group[0].id}`;
    const names = await regions.namesOf([communityId]);
    const { label, categoryId } = labelOf(group);
    try {
      await Hotspot.create({
        key,
        communityId: new Types.ObjectId(communityId),
        regionPath: communityPath,
        regionName: names.get(communityId) ?? communityPath,
        label,
        categoryId: categoryId ? new Types.ObjectId(categoryId) : null,
        size: 0,
        firstAt: group[0].submittedAt,
        lastAt: group[group.length - 1].submittedAt,
        windowHours,
        state: 'open',
        flaggedStep: 0,
        version: 0,
        merge: null,
        dismissal: null,
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    return Hotspot.findOne({ key }).lean<HotspotDoc>();
  }

  /** Size and times from the memberships; the version moves when the group changed. Then the flag, if a step was passed. */
  async function refresh(h: HotspotDoc, minCount: number): Promise<{ grown: boolean; flagged: boolean }> {
    const members = await HotspotMember.find({ hotspotId: h._id }, { submittedAt: 1 }).sort({ submittedAt: 1 }).lean<HotspotMemberDoc[]>();
    if (members.length === 0) return { grown: false, flagged: false };
    let current = h;
    const grown = members.length !== h.size;
    if (grown) {
      const set = { size: members.length, firstAt: members[0].submittedAt, lastAt: members[members.length - 1].submittedAt };
      const updated = await Hotspot.findOneAndUpdate({ _id: h._id, state: 'open', size: h.size }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<HotspotDoc>();
      // Another run counted it first (or it was decided meanwhile): that run flags.
      if (!updated) return { grown: false, flagged: false };
      current = updated;
    }
    const step = flagStep(current.size, minCount);
    if (current.state !== 'open' || step <= current.flaggedStep) return { grown, flagged: false };
    await flags.enqueue(current, step);
    await Hotspot.updateOne({ _id: current._id, flaggedStep: { $lt: step } }, { $set: { flaggedStep: step } });
    return { grown, flagged: true };
  }

  return {
    async run(signal?: AbortSignal): Promise<DetectRun> {
      const out: DetectRun = { created: 0, grown: 0, flagged: 0 };
      const s = await settings.read();
      const appeals = await reads.openFiledSince(new Date(ctx.now().getTime() - s.windowHours * HOUR));
      if (appeals.length === 0) return out;
      const memberships = await HotspotMember.find({ _id: { $in: appeals.map((a) => new Types.ObjectId(a.id)) } }).lean<HotspotMemberDoc[]>();
      const spotIds = [...new Set(memberships.map((m) => String(m.hotspotId)))];
      const spots = new Map((await Hotspot.find({ _id: { $in: spotIds.map((id) => new Types.ObjectId(id)) } }).lean<HotspotDoc[]>()).map((h) => [String(h._id), h]));
      const spotOf = new Map(memberships.map((m) => [String(m._id), spots.get(String(m.hotspotId))]));

      // Per community, the appeals not already decided in a merged or dismissed hot spot.
      const byCommunity = new Map<string, ClusterAppeal[]>();
      for (const a of appeals) {
        const path = a.communityPath;
        const spot = spotOf.get(a.id);
        if (!path || (spot && spot.state !== 'open')) continue;
        byCommunity.set(path, [...(byCommunity.get(path) ?? []), a]);
      }

      const touched = new Map<string, HotspotDoc>();
      for (const [path, list] of byCommunity) {
        if (signal?.aborted) return out;
        const groups = similarGroups(
          list.map((a) => ({ categoryId: a.categoryId, grams: bigrams(a.description) })),
          s.similarity,
        );
        for (const indexes of groups) {
          const group = indexes.map((i) => list[i]);
          const open = group
            .map((a) => spotOf.get(a.id))
            .filter((h): h is HotspotDoc => !!h)
            .sort((x, y) => String(x._id).localeCompare(String(y._id)));
          const free = group.filter((a) => !spotOf.has(a.id));
          if (open.length === 0 && group.length < s.minCount) continue;
          if (open.length > 0 && free.length === 0) {
            touched.set(String(open[0]._id), open[0]);
            continue;
          }
          const spot = open[0] ?? (await createFor(group, path, s.windowHours));
          if (!spot || spot.state !== 'open') continue;
          if (!open[0]) out.created++;
          // One insert per appeal (few at a time): an appeal another run placed first stays where it is.
          for (const a of free) {
            try {
              await HotspotMember.create({ _id: new Types.ObjectId(a.id), hotspotId: spot._id, submittedAt: a.submittedAt });
            } catch (err) {
              if (!isDuplicateKeyError(err)) throw err;
            }
          }
          touched.set(String(spot._id), spot);
        }
      }
      for (const spot of touched.values()) {
        const r = await refresh(spot, s.minCount);
        if (r.grown) out.grown++;
        if (r.flagged) out.flagged++;
      }
      return out;
    },
  };
}

export const HOTSPOT_DETECT_INTERVAL_MS = 60_000;

/** The detector every minute in every process (each run is safe beside another's). */
export function startHotspotDetector(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  const detector = hotspotDetector(ctx);
  return startPeriodicJob(ctx.logger, 'hotspot detector', (signal) => detector.run(signal).then(() => {}), { intervalMs: opts.intervalMs ?? HOTSPOT_DETECT_INTERVAL_MS, schedule: opts.schedule });
}
