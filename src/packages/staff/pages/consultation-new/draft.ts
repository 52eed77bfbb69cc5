// The unsent consultation (发起议事), kept on the device on every change as the tips form keeps its
// draft (pages/tip-new/draft.ts): a failed send never loses what was typed, and the key made with
// the draft goes with every send of it (store/create-attempt.ts), so a retry returns the first
// consultation instead of opening a second. One draft per signed-in user; cleared once the server has it.
import Taro from '@tarojs/taro';
import type { Me, PhotoRef, RegionSummary } from '../../../../api/types';
import { newIdempotencyKey } from '../../../../store/appeal-draft';

const KEY_PREFIX = 'xianrong.consultation-draft.';
export const OPTIONS_MIN = 2;
export const OPTIONS_MAX = 10;

export interface ConsultationDraft {
  idempotencyKey: string;
  sentFingerprint: string | null;
  title: string;
  description: string;
  photos: PhotoRef[];
  options: string[];
  multiple: boolean;
  /** With `multiple`: how many may be chosen (2..options). */
  maxChoices: number;
  region: RegionSummary | null;
  /** When voting closes, Beijing time: 'YYYY-MM-DD' and 'HH:mm'. */
  date: string;
  time: string;
}

export const emptyConsultationDraft = (date: string): ConsultationDraft => ({
  idempotencyKey: newIdempotencyKey(),
  sentFingerprint: null,
  title: '',
  description: '',
  photos: [],
  options: ['', ''],
  multiple: false,
  maxChoices: 2,
  region: null,
  date,
  time: '20:00',
});

const keyFor = (userId: string) => KEY_PREFIX + userId;

export function loadConsultationDraft(userId: string, date: string): ConsultationDraft | null {
  try {
    const v = Taro.getStorageSync(keyFor(userId)) as Partial<ConsultationDraft> | '' | undefined;
    if (!v || typeof v !== 'object' || typeof v.idempotencyKey !== 'string') return null;
    const base = emptyConsultationDraft(date);
    return { ...base, ...v, photos: Array.isArray(v.photos) ? v.photos : [], options: Array.isArray(v.options) && v.options.length >= OPTIONS_MIN ? v.options : base.options };
  } catch {
    return null;
  }
}

/** Storage full or unavailable: the form still works, it just will not survive a restart. */
export function saveConsultationDraft(userId: string, draft: ConsultationDraft | null): void {
  try {
    if (draft) Taro.setStorageSync(keyFor(userId), draft);
    else Taro.removeStorageSync(keyFor(userId));
  } catch {
    // see above
  }
}

/** '2026-12-14' + '20:00' → '2026-12-14T20:00:00+08:00' (the server takes an offset). */
export const closesAtOf = (d: Pick<ConsultationDraft, 'date' | 'time'>) => `${d.date}T${d.time}:00+08:00`;

/**
 * Where this writer may ask: community staff their communities, dispatchers their township (or the
 * county, after review), and reviewers the county (`county`: the county's region, which a
 * reviewer's scope does not hold, since reviewers have no regions).
 */
export function consultationScopes(user: Pick<Me, 'roles' | 'scopeRegions'>, county: RegionSummary | null = null): RegionSummary[] {
  const levels = new Set<string>();
  if (user.roles.includes('community_staff') || user.roles.includes('admin')) levels.add('community');
  if (user.roles.includes('dispatcher') || user.roles.includes('admin')) ['township', 'county'].forEach((l) => levels.add(l));
  const scopes = user.scopeRegions.filter((r) => levels.has(r.level));
  if (county && user.roles.includes('reviewer') && !scopes.some((r) => r.id === county.id)) scopes.push(county);
  return scopes;
}
