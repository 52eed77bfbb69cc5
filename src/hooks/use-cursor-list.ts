import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/request';

/** One page of a cursor-paged list, as every list endpoint answers (`nextCursor` null on the last page). */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

export type CursorListStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface CursorListOptions<T> {
  /** The identity of an item: an item that moved onto the next page between two reads is shown once. */
  idOf: (item: T) => string;
  /** False: nothing is requested (e.g. a search without words) and the list is idle and empty. */
  enabled?: boolean;
  /**
   * True (default): the first page is read on mount and whenever `load` changes. False: the page
   * reads it itself (e.g. `refresh()` each time it shows, as the 诉求 tab does).
   */
  auto?: boolean;
}

export interface CursorList<T> {
  items: T[];
  status: CursorListStatus;
  /** Why the first load failed (status 'error'). */
  error: string;
  /** Why a refresh failed while a list was shown: the list stays (a weak network should not blank it). */
  refreshError: string;
  nextCursor: string | null;
  loadingMore: boolean;
  /** Why the next page failed; the list stays and 加载更多 retries. */
  moreError: string;
  /** Loads the first page again, keeping what is shown until the answer comes (pull-down, 重试). */
  refresh: () => Promise<void>;
  /** Empties the list and loads the first page (a different query). */
  reset: () => Promise<void>;
  /** Loads the page after `nextCursor`; does nothing while one is loading or on the last page. */
  loadMore: () => Promise<void>;
  /** Changes the shown items locally (an item just sent, a reported one removed). */
  mutate: (fn: (items: T[]) => T[]) => void;
}

/**
 * A list read page by page with the cursor the server gives, the loading / error / refresh states
 * of the appeals page (src/pages/appeals/index.tsx) as a hook. `load(cursor)` reads one page; when
 * its identity changes (the page built it with useCallback over the query: a column, a search
 * text) the list is emptied and read again, and answers to the previous query are dropped.
 */
export function useCursorList<T>(load: (cursor: string | undefined) => Promise<CursorPage<T>>, opts: CursorListOptions<T>): CursorList<T> {
  const enabled = opts.enabled !== false;
  const auto = opts.auto !== false;
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<CursorListStatus>(enabled && auto ? 'loading' : 'idle');
  const [error, setError] = useState('');
  const [refreshError, setRefreshError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState('');

  const loadRef = useRef(load);
  loadRef.current = load;
  const idOfRef = useRef(opts.idOf);
  idOfRef.current = opts.idOf;
  // An answer that arrives after a newer (re)load started is dropped.
  const generation = useRef(0);
  const shown = useRef(false);
  const loadingMoreRef = useRef(false);
  const cursorRef = useRef<string | null>(null);

  const read = useCallback(async (reset: boolean) => {
    const gen = ++generation.current;
    loadingMoreRef.current = false;
    setLoadingMore(false);
    setMoreError('');
    if (reset) {
      shown.current = false;
      cursorRef.current = null;
      setItems([]);
      setNextCursor(null);
      setRefreshError('');
      setStatus('loading');
    } else {
      // Keep what is shown while refreshing; only a first load shows the loading view.
      setStatus((s) => (s === 'ready' ? s : 'loading'));
    }
    try {
      const page = await loadRef.current(undefined);
      if (gen !== generation.current) return;
      shown.current = true;
      cursorRef.current = page.nextCursor;
      setItems(page.items);
      setNextCursor(page.nextCursor);
      setError('');
      setRefreshError('');
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      if (shown.current) {
        setRefreshError(errorMessage(e));
      } else {
        setError(errorMessage(e));
        setStatus('error');
      }
    }
  }, []);

  const refresh = useCallback(() => read(false), [read]);
  const reset = useCallback(() => read(true), [read]);

  const loadMore = useCallback(async () => {
    const cursor = cursorRef.current;
    if (loadingMoreRef.current || !cursor || !shown.current) return;
    const gen = generation.current;
    loadingMoreRef.current = true;
    setLoadingMore(true);
    setMoreError('');
    try {
      const page = await loadRef.current(cursor);
      if (gen !== generation.current) return;
      const idOf = idOfRef.current;
      setItems((prev) => {
        const seen = new Set(prev.map(idOf));
        return [...prev, ...page.items.filter((item) => !seen.has(idOf(item)))];
      });
      cursorRef.current = page.nextCursor;
      setNextCursor(page.nextCursor);
    } catch (e) {
      if (gen === generation.current) setMoreError(errorMessage(e));
    } finally {
      if (gen === generation.current) {
        loadingMoreRef.current = false;
        setLoadingMore(false);
      }
    }
  }, []);

  useEffect(() => {
    if (enabled) {
      if (auto) void read(true);
      return;
    }
    generation.current++;
    shown.current = false;
    cursorRef.current = null;
    loadingMoreRef.current = false;
    setItems([]);
    setNextCursor(null);
    setLoadingMore(false);
    setStatus('idle');
  }, [load, enabled, auto, read]);

  return { items, status, error, refreshError, nextCursor, loadingMore, moreError, refresh, reset, loadMore, mutate: setItems };
}

export interface LoadedItem<T> {
  item: T | null;
  status: 'loading' | 'ready' | 'error';
  error: string;
  /** Reads again, keeping the shown item until the answer comes (重试, a refresh). */
  reload: () => Promise<void>;
  /** Changes the shown item (an action's answer, an optimistic guess); a read under way is dropped. */
  update: (fn: (item: T) => T) => void;
}

/**
 * One item read by id (an article, a notice) with the same states as a list's first page. `load`
 * null means there is no id: the error view with `missing`. Read on mount and when `load` changes.
 */
export function useLoadedItem<T>(load: (() => Promise<T>) | null, missing: string): LoadedItem<T> {
  const [item, setItem] = useState<T | null>(null);
  const [status, setStatus] = useState<LoadedItem<T>['status']>('loading');
  const [error, setError] = useState('');
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const gen = ++generation.current;
    if (!load) {
      setError(missing);
      setStatus('error');
      return;
    }
    setStatus((s) => (s === 'ready' ? s : 'loading'));
    try {
      const loaded = await load();
      if (gen !== generation.current) return;
      setItem(loaded);
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      setError(errorMessage(e));
      setStatus((s) => (s === 'ready' ? s : 'error'));
    }
  }, [load, missing]);

  useEffect(() => void reload(), [reload]);

  const update = useCallback((fn: (item: T) => T) => {
    generation.current++;
    setItem((current) => (current === null ? current : fn(current)));
  }, []);

  return { item, status, error, reload, update };
}
