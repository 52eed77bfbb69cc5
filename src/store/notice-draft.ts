// The notice being written, kept on the device (Taro storage) on every change until the server has
// it, like the article draft: the form, the key of its first save and what was sent with it, and,
// once the server answered, the draft's id and the version the text was written on. The page
// opened again (a reload, the app killed) continues editing that same draft.
import Taro from '@tarojs/taro';
import type { NoticeLevel, RegionSummary } from '../api/types';

const KEY_PREFIX = 'xianrong.notice-draft.';

export interface NoticeForm {
  title: string;
  level: NoticeLevel;
  body: string;
  regions: RegionSummary[];
}

export interface NoticeDraft {
  form: NoticeForm;
  createKey: string;
  sentFingerprint: string | null;
  noticeId: string | null;
  version: number | null;
}

export const emptyNoticeForm = (): NoticeForm => ({ title: '', level: 'normal', body: '', regions: [] });

export const noticeDraftKey = (userId: string, noticeId: string | null) => `${KEY_PREFIX}${userId}.${noticeId ?? 'new'}`;

export function loadNoticeDraft(key: string): NoticeDraft | null {
  try {
    const v = Taro.getStorageSync(key) as Partial<NoticeDraft> | '' | undefined;
    if (!v || typeof v !== 'object' || !v.form || typeof v.form.body !== 'string' || typeof v.createKey !== 'string') return null;
    return {
      form: { ...emptyNoticeForm(), ...v.form, regions: Array.isArray(v.form.regions) ? v.form.regions : [] },
      createKey: v.createKey,
      sentFingerprint: typeof v.sentFingerprint === 'string' ? v.sentFingerprint : null,
      noticeId: typeof v.noticeId === 'string' ? v.noticeId : null,
      version: typeof v.version === 'number' ? v.version : null,
    };
  } catch {
    return null;
  }
}

export function saveNoticeDraft(key: string, draft: NoticeDraft): void {
  try {
    Taro.setStorageSync(key, draft);
  } catch {
    // storage full or unavailable: the form still works, it just will not survive a restart
  }
}

export function clearNoticeDraft(key: string): void {
  try {
    Taro.removeStorageSync(key);
  } catch {
    // nothing to clear
  }
}
