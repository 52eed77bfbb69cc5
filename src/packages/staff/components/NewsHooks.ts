// Hooks the news and notice pages share: a list page's refresh events, and an editor's sends.
import { useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { ApiError } from '../../../api/request';
import type { CursorList } from '../../../hooks/use-cursor-list';
import { isConflict } from './NewsAccess';

/**
 * A staff list page: read again on coming back (an article or notice opened from it may have
 * moved on; the first show is the list's own first read), on pull-down, and the next page at the bottom.
 */
export function useListPageEvents<T>(list: CursorList<T>, alsoOnRefresh?: () => void): void {
  const shownOnce = useRef(false);
  useDidShow(() => {
    if (shownOnce.current) {
      void list.refresh();
      alsoOnRefresh?.();
    }
    shownOnce.current = true;
  });
  usePullDownRefresh(() => {
    alsoOnRefresh?.();
    void list.refresh().finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });
  useReachBottom(() => void list.loadMore());
}

/** Shown when an edit was made on an old version: the page reloads the server's copy, the typed text stays. */
export const STALE_MESSAGE = '内容已被他人修改，已为你重新加载';

/** 409 STALE_VERSION: someone else saved it since this page read it. */
export const isStale = (e: unknown) => e instanceof ApiError && e.status === 409 && e.code === 'STALE_VERSION';

export interface EditorSend {
  busy: boolean;
  /** What the last send came to: a success to confirm, or the server's reason for a refusal. */
  message: { text: string; ok: boolean } | null;
  clearMessage: () => void;
  /**
   * Runs one send at a time. `work` resolves with the success text to show (or nothing when it
   * navigates away). A refusal the server explains keeps the form with its message; a 409 (it
   * moved on meanwhile, or someone else saved it: STALE_MESSAGE) also calls `onConflict` with the
   * error to show what it is now; a network failure (the wrapper's toast) keeps everything typed.
   */
  run: (work: () => Promise<string | void>) => Promise<void>;
}

export function useEditorSend(onConflict: (e: ApiError) => void): EditorSend {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<EditorSend['message']>(null);
  const running = useRef(false);
  const run = async (work: () => Promise<string | void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      const done = await work();
      if (done) {
        setMessage({ text: done, ok: true });
        void Taro.showToast({ title: done, icon: 'success' });
      }
    } catch (e) {
      if (e instanceof ApiError && e.status !== 0) setMessage({ text: isStale(e) ? STALE_MESSAGE : e.message, ok: false });
      if (isConflict(e)) onConflict(e as ApiError);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  return { busy, message, clearMessage: () => setMessage(null), run };
}
