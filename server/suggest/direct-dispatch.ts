/**
 * Direct dispatch by suggestion (智能直派): a filing without a category whose suggestion is sure
 * enough is filed as if that catalogue category had been chosen (server/appeals/create.ts: with a
 * default unit it is dispatched at once and reviewed as every 直派 is; without one it waits for a
 * dispatcher with its category). How sure is the admins' setting, one document in `suggestsettings`
 * read through the read cache, so every process applies the same threshold after an edit and a
 * filing reads no more than the stamp it reads anyway.
 *
 * Beside the threshold, its precision measured on the county's own appeals: the most recent
 * MEASURE_SAMPLE confirmed appeals of the last MEASURE_WINDOW_DAYS (those the learner counts,
 * `suggestlearned`), each scored with the model as it is now but leaving itself out (rank's
 * `learnedFor`: scoring a text the model has learned would find it, and measure nothing), and
 * for each threshold: the share of those at or above it whose top suggestion is the confirmed
 * category (precision), the share at or above it (coverage), and how many were scored. Scoring
 * 500 texts is milliseconds, but it reads 500 appeals: it is kept per process for
 * MEASURE_TTL_MS, never done per request.
 */
import { Types, type Connection } from 'mongoose';
import type { AppContext } from '../context';
import { isDuplicateKeyError } from '../core/errors';
import { staleVersion } from '../core/versions';
import { categoryConfirmations } from '../appeals';
import { SUGGEST_SETTINGS_CACHE, suggestModels, type SuggestLearnedDoc, type SuggestSettingsDoc } from './model';
import { suggestService } from './service';
import { FEATURES_VERSION } from './text';

/**
 * The threshold an admin is offered first, and the one in force once they switch direct dispatch
 * on without moving it. 0.85: the scores are softmax posteriors over some twenty categories, kept
 * "calibrated-ish" (service.ts); at 0.85 the runner-up has at most 0.15, so a suggestion this sure
 * is one a dispatcher would rarely overrule, while texts a county writes plainly (路灯不亮, 井盖
 * 丢失) still reach it once a few hundred appeals are learned. The page shows the precision
 * measured at the threshold on the county's own confirmed appeals, so an admin moves it with facts.
 */
export const DIRECT_DISPATCH_DEFAULT_THRESHOLD = 0.85;

/**
 * Off until an admin turns it on. Turning it on moves appeals to units without a person's choice,
 * so it is a county's decision taken on the settings page, beside the precision measured on its
 * own appeals; until then filings flow as they always did (the suggestion shown to the dispatcher).
 * An upgrade must not change where tomorrow's appeals go.
 */
export const DIRECT_DISPATCH_DEFAULT_ENABLED = false;

/** The thresholds an admin may set. */
export const THRESHOLD_MIN = 0.5;
export const THRESHOLD_MAX = 0.99;
/** The thresholds the precision table answers for (the current one is answered besides). */
export const MEASURED_THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99] as const;
/** How many recent confirmed appeals are scored, and from how far back at most. */
export const MEASURE_SAMPLE = 500;
export const MEASURE_WINDOW_DAYS = 90;
/** A measure is reused this long (per process): the admin page may be reloaded at will. */
export const MEASURE_TTL_MS = 2 * 60 * 1000;

const SETTINGS_ID = 'direct-dispatch';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DirectDispatchSetting {
  enabled: boolean;
  threshold: number;
  /** 0 while no admin has saved it (the defaults). */
  version: number;
  updatedAt: Date | null;
}

const DEFAULTS: DirectDispatchSetting = { enabled: DIRECT_DISPATCH_DEFAULT_ENABLED, threshold: DIRECT_DISPATCH_DEFAULT_THRESHOLD, version: 0, updatedAt: null };

const settingOf = (d: SuggestSettingsDoc): DirectDispatchSetting => ({ enabled: d.enabled, threshold: d.threshold, version: d.version, updatedAt: d.updatedAt ?? null });

export function directDispatchSettings(ctx: AppContext) {
  const { SuggestSettings } = suggestModels(ctx.conn);
  const read = async (): Promise<DirectDispatchSetting> => {
    const d = await SuggestSettings.findById(SETTINGS_ID).lean<SuggestSettingsDoc>();
    return d ? settingOf(d) : DEFAULTS;
  };
  return {
    /** The setting in force, from the read cache (the stamp only, the document after an edit). */
    current: () => ctx.cache.value({ namespace: SUGGEST_SETTINGS_CACHE, key: SETTINGS_ID }, read),
    /** Whether a suggestion this sure is filed as the appeal's category. */
    async sure(score: number): Promise<boolean> {
      const s = await this.current();
      return s.enabled && score >= s.threshold;
    },
    read,
    /** The admins' edit, made on `version`: 409 naming the current version when someone saved in between. */
    async update(version: number, patch: { enabled?: boolean; threshold?: number }): Promise<DirectDispatchSetting> {
      const set = { ...patch, updatedAt: ctx.now() };
      const updated = await SuggestSettings.findOneAndUpdate({ _id: SETTINGS_ID, version }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<SuggestSettingsDoc>();
      if (updated) return settingOf(updated);
      if (version === 0) {
        // The first save: the defaults were version 0; two first saves at once, one wins.
        try {
          const created = await SuggestSettings.create({ ...DEFAULTS, ...set, _id: SETTINGS_ID, version: 1 });
          return settingOf(created.toObject());
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
        }
      }
      throw staleVersion((await read()).version);
    },
  };
}

export interface PrecisionAt {
  threshold: number;
  /** Share of the appeals at or above the threshold whose top suggestion is their confirmed category; null when none is. */
  precision: number | null;
  /** Share of the scored appeals at or above the threshold: how many would be dispatched directly. */
  coverage: number;
  /** How many of the scored appeals are at or above the threshold. */
  count: number;
}

export interface PrecisionMeasure {
  /** How many appeals were scored (the most recent confirmed ones, MEASURE_SAMPLE at most). */
  sample: number;
  /** Share of all scored appeals whose top suggestion is their confirmed category (no threshold). */
  accuracy: number | null;
  measuredAt: Date;
  /** Each scored appeal's top score and whether it was right, most sure first. */
  scored: readonly { score: number; correct: boolean }[];
}

const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 10000) / 10000 : null);

/** The precision, coverage and count at `threshold`, from a measure. */
export function precisionAt(m: Pick<PrecisionMeasure, 'scored'>, threshold: number): PrecisionAt {
  let count = 0;
  let correct = 0;
  for (const s of m.scored) {
    if (s.score < threshold) continue;
    count++;
    if (s.correct) correct++;
  }
  return { threshold, precision: ratio(correct, count), coverage: ratio(count, m.scored.length) ?? 0, count };
}

/** The measure in this process per connection (tests run two apps on two connections): one at a time, reused for MEASURE_TTL_MS. */
const measures = new WeakMap<Connection, { at: number; value: Promise<PrecisionMeasure> }>();

export function precisionMeasure(ctx: AppContext) {
  const { SuggestLearned } = suggestModels(ctx.conn);
  const suggestions = suggestService(ctx);
  const confirmations = categoryConfirmations(ctx);

  async function measure(): Promise<PrecisionMeasure> {
    const now = ctx.now();
    // An appeal's id is made when it is filed: the recent ones are a range of the _id index.
    const since = Types.ObjectId.createFromTime(Math.floor((now.getTime() - MEASURE_WINDOW_DAYS * DAY_MS) / 1000));
    const learned = (await SuggestLearned.find({ _id: { $gte: since } }).sort({ _id: -1 }).limit(MEASURE_SAMPLE).lean<SuggestLearnedDoc[]>())
      // Counted with other features: its counts are not its text's now, so leaving it out is not exact.
      .filter((l) => l.v === FEATURES_VERSION);
    const texts = await confirmations.textsOf(learned.map((l) => String(l._id)));
    // From here on synchronous: every text is scored against the same table.
    const rank = await suggestions.ranker();
    const scored: { score: number; correct: boolean }[] = [];
    for (const l of learned) {
      const text = texts.get(String(l._id));
      if (!text) continue;
      const confirmed = String(l.c);
      const ranked = rank(text, Number.MAX_SAFE_INTEGER, confirmed);
      // A category retired since can never be suggested: not what direct dispatch will meet.
      if (!ranked.some((r) => r.id === confirmed)) continue;
      scored.push({ score: ranked[0].score, correct: ranked[0].id === confirmed });
    }
    scored.sort((a, b) => b.score - a.score);
    return { sample: scored.length, accuracy: ratio(scored.filter((s) => s.correct).length, scored.length), measuredAt: now, scored };
  }

  return {
    /** The measure, at most MEASURE_TTL_MS old (by the app's clock); concurrent callers share one. */
    get(): Promise<PrecisionMeasure> {
      const t = ctx.now().getTime();
      const kept = measures.get(ctx.conn);
      if (kept && t >= kept.at && t - kept.at < MEASURE_TTL_MS) return kept.value;
      const value = measure();
      measures.set(ctx.conn, { at: t, value });
      value.catch(() => {
        if (measures.get(ctx.conn)?.value === value) measures.delete(ctx.conn);
      });
      return value;
    },
  };
}
