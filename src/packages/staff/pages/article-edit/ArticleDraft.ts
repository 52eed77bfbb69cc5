// The article being written, kept on the device (Taro storage) on every change until it is saved
// on the server, like the residents' appeal draft (src/store/appeal-draft.ts): a phone call or a
// dropped network never loses an editor's text. One draft per user and article ('new' for one not
// yet created).
import Taro from '@tarojs/taro';
import type { PhotoRef, RegionSummary } from '../../../../api/types';
import { newIdempotencyKey } from '../../../../store/appeal-draft';

const KEY_PREFIX = 'xianrong.article-draft.';

export interface ArticleDraft {
  columnId: string | null;
  title: string;
  summary: string;
  author: string;
  source: string;
  cover: PhotoRef | null;
  regions: RegionSummary[];
  /** The typed form of the body (utils/article-body.ts). */
  body: string;
  /** 定时发布 on submit, at date + time (Beijing time). */
  schedule: boolean;
  date: string;
  time: string;
  /** Sent with the first save: a retry after a lost answer gets the same draft, not a second one. */
  createKey: string;
  /** What was last sent with createKey and not answered (NewsHooks nextCreate): a changed text gets a new key. */
  sentFingerprint?: string | null;
  /** The server's draft once the first save was answered: a reload continues it (PATCH, not a second create). */
  articleId?: string | null;
  /** The version of the server's copy this text was written on (the If-Match of the next save). */
  version?: number | null;
}

export const DEFAULT_SOURCE = '县融媒体中心';

export function emptyArticleDraft(author = '', schedule: { date: string; time: string }): ArticleDraft {
  return { columnId: null, title: '', summary: '', author, source: DEFAULT_SOURCE, cover: null, regions: [], body: '', schedule: false, ...schedule, createKey: newIdempotencyKey() };
}

export const articleDraftKey = (userId: string, articleId: string | null) => `${KEY_PREFIX}${userId}.${articleId ?? 'new'}`;

export function loadArticleDraft(key: string): ArticleDraft | null {
  try {
    const value = Taro.getStorageSync(key) as Partial<ArticleDraft> | '' | undefined;
    if (!value || typeof value !== 'object' || typeof value.body !== 'string') return null;
    return {
      ...emptyArticleDraft('', { date: '', time: '' }),
      ...value,
      regions: Array.isArray(value.regions) ? value.regions : [],
      createKey: typeof value.createKey === 'string' && value.createKey ? value.createKey : newIdempotencyKey(),
    };
  } catch {
    return null;
  }
}

export function saveArticleDraft(key: string, draft: ArticleDraft): void {
  try {
    Taro.setStorageSync(key, draft);
  } catch {
    // storage full or unavailable: the form still works, it just will not survive a restart
  }
}

export function clearArticleDraft(key: string): void {
  try {
    Taro.removeStorageSync(key);
  } catch {
    // nothing to clear
  }
}
