// The unsent 代报/代录, kept on the device on every change like the residents' draft
// (src/store/appeal-draft.ts): a phone call or a closed app on a grid worker's phone loses nothing,
// and the idempotency key made with the draft makes a resend return the first appeal. One draft per
// staff member; cleared after a successful filing or by 清空重填.
import Taro from '@tarojs/taro';
import type { AppealKind, AppealLocationInput, PhotoRef, RegionSummary } from '../../../../api/types';
import { newIdempotencyKey } from '../../../../store/appeal-draft';

const KEY_PREFIX = 'xianrong.staff-file-draft.';

export interface FileDraft {
  idempotencyKey: string;
  /** What was last sent with the key and not answered (store/create-attempt.ts); null before a send. */
  sentFingerprint: string | null;
  reporterName: string;
  reporterPhone: string;
  kind: AppealKind | null;
  categoryId: string | null;
  description: string;
  photos: PhotoRef[];
  /** From one of the staff member's regions down to the chosen community or grid. */
  regionTrail: RegionSummary[];
  place: string;
  /** The point on the map (选择位置), as WeChat or the browser gave it; null when none was chosen. */
  location: AppealLocationInput | null;
  /** Public appeals are readable by residents (name masked, never the phone). */
  isPublic: boolean;
}

export function emptyFileDraft(): FileDraft {
  return { idempotencyKey: newIdempotencyKey(), sentFingerprint: null, reporterName: '', reporterPhone: '', kind: null, categoryId: null, description: '', photos: [], regionTrail: [], place: '', location: null, isPublic: true };
}

const keyFor = (userId: string) => KEY_PREFIX + userId;

export function loadFileDraft(userId: string): FileDraft | null {
  try {
    const value = Taro.getStorageSync(keyFor(userId)) as Partial<FileDraft> | '' | undefined;
    if (!value || typeof value !== 'object' || typeof value.idempotencyKey !== 'string') return null;
    return { ...emptyFileDraft(), ...value, photos: Array.isArray(value.photos) ? value.photos : [], regionTrail: Array.isArray(value.regionTrail) ? value.regionTrail : [] };
  } catch {
    return null;
  }
}

export function saveFileDraft(userId: string, draft: FileDraft): void {
  try {
    Taro.setStorageSync(keyFor(userId), draft);
  } catch {
    // storage unavailable: the form still works for this visit
  }
}

export function clearFileDraft(userId: string): void {
  try {
    Taro.removeStorageSync(keyFor(userId));
  } catch {
    // nothing to clear
  }
}

export function fileDraftHasContent(d: FileDraft): boolean {
  return Boolean(d.reporterName.trim() || d.reporterPhone.trim() || d.kind || d.categoryId || d.description.trim() || d.photos.length || d.place.trim() || d.location);
}
