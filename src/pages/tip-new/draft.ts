// The resident's unsent tip, kept on the device on every change (as the report form keeps its
// draft, store/appeal-draft.ts): a dropped network or a closed app never loses what was typed, and
// the key made with the draft goes with every send of it, so a retry returns the first tip instead
// of sending a second. One draft per signed-in user; cleared only once the server has the tip.
import Taro from '@tarojs/taro';
import type { PhotoRef } from '../../api/types';
import { newIdempotencyKey } from '../../store/appeal-draft';

const KEY_PREFIX = 'xianrong.tip-draft.';

export interface TipDraft {
  idempotencyKey: string;
  /** What was last sent with the key and not answered (store/create-attempt.ts); null before a send. */
  sentFingerprint: string | null;
  text: string;
  /** Uploaded photos only: one still on its way exists only in this run of the app. */
  photos: PhotoRef[];
  place: string;
  /** When it happened, Beijing time: 'YYYY-MM-DD' and 'HH:mm', '' when not given. */
  date: string;
  time: string;
  mayContact: boolean;
  mayCredit: boolean;
}

export const emptyTipDraft = (): TipDraft => ({ idempotencyKey: newIdempotencyKey(), sentFingerprint: null, text: '', photos: [], place: '', date: '', time: '', mayContact: false, mayCredit: false });

const keyFor = (userId: string) => KEY_PREFIX + userId;

export function loadTipDraft(userId: string): TipDraft | null {
  try {
    const v = Taro.getStorageSync(keyFor(userId)) as Partial<TipDraft> | '' | undefined;
    if (!v || typeof v !== 'object' || typeof v.idempotencyKey !== 'string') return null;
    return { ...emptyTipDraft(), ...v, photos: Array.isArray(v.photos) ? v.photos : [] };
  } catch {
    return null;
  }
}

/** Storage full or unavailable: the form still works, it just will not survive a restart. */
export function saveTipDraft(userId: string, draft: TipDraft | null): void {
  try {
    if (draft) Taro.setStorageSync(keyFor(userId), draft);
    else Taro.removeStorageSync(keyFor(userId));
  } catch {
    // see above
  }
}

export const tipDraftHasContent = (d: TipDraft) => Boolean(d.text.trim() || d.photos.length || d.place.trim() || d.date);

/** '2026-12-07' + '14:30' → '2026-12-07T14:30:00+08:00' (the server takes an offset); null without a date. */
export function happenedAtOf(d: Pick<TipDraft, 'date' | 'time'>): string | null {
  return d.date ? `${d.date}T${d.time || '00:00'}:00+08:00` : null;
}
