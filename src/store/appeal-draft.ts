// The resident's unsent appeal, kept on the device (Taro storage) on every change, so closing the
// app, a phone call or a dropped network never loses what an elderly resident typed. One draft per
// signed-in user (a shared phone must not show one person's draft to another). The idempotency key
// is made once with the draft: every send of this draft carries it, so a retry after a lost answer
// gets the first appeal back instead of filing a second. Cleared only after a successful create.
import Taro from '@tarojs/taro';
import type { AppealKind, AppealLocationInput, PhotoRef } from '../api/types';

const KEY_PREFIX = 'xianrong.appeal-draft.';

export interface AppealDraft {
  idempotencyKey: string;
  /** What was last sent with the key and not answered (store/create-attempt.ts); null before a send. */
  sentFingerprint: string | null;
  kind: AppealKind | null;
  categoryId: string | null;
  description: string;
  /** Uploaded photos only: a file still on its way exists only in this run of the app. */
  photos: PhotoRef[];
  /** The community (社区/村); null = the resident's home community. */
  communityId: string | null;
  communityName: string | null;
  /** Optional grid (网格) inside the community. */
  gridId: string | null;
  gridName: string | null;
  place: string;
  /** The point chosen on the map (GCJ-02), beside the text place; null when none. */
  location: AppealLocationInput | null;
  isPublic: boolean;
  isAnonymous: boolean;
}

/** Matches the server's rule (8-80 of letters, digits, _ : . -) and is unique enough per device and moment. */
export function newIdempotencyKey(): string {
  const random = Array.from({ length: 4 }, () => Math.floor(Math.random() * 0x100000000).toString(36)).join('');
  return `mp-${Date.now().toString(36)}-${random}`;
}

export function emptyDraft(): AppealDraft {
  return {
    idempotencyKey: newIdempotencyKey(),
    sentFingerprint: null,
    kind: null,
    categoryId: null,
    description: '',
    photos: [],
    communityId: null,
    communityName: null,
    gridId: null,
    gridName: null,
    place: '',
    location: null,
    isPublic: true,
    isAnonymous: false,
  };
}

const keyFor = (userId: string) => KEY_PREFIX + userId;

export function loadDraft(userId: string): AppealDraft | null {
  try {
    const value = Taro.getStorageSync(keyFor(userId)) as Partial<AppealDraft> | '' | undefined;
    if (!value || typeof value !== 'object' || typeof value.idempotencyKey !== 'string') return null;
    // Fields added in later versions get their defaults.
    return { ...emptyDraft(), ...value, photos: Array.isArray(value.photos) ? value.photos : [] };
  } catch {
    return null;
  }
}

export function saveDraft(userId: string, draft: AppealDraft): void {
  try {
    Taro.setStorageSync(keyFor(userId), draft);
  } catch {
    // storage full or unavailable: the form still works, it just will not survive a restart
  }
}

export function clearDraft(userId: string): void {
  try {
    Taro.removeStorageSync(keyFor(userId));
  } catch {
    // nothing to clear
  }
}

/** Whether the resident has typed or chosen anything worth keeping. */
export function draftHasContent(d: AppealDraft): boolean {
  return Boolean(d.kind || d.categoryId || d.description.trim() || d.photos.length || d.place.trim() || d.location);
}
