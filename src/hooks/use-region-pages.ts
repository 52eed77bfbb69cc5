// A list of regions read a page at a time (GET /regions, page/pageSize with a total): the region
// picker's drill-down and the board's community search. `first(query)` starts over (an answer to an
// older query is dropped); `more()` appends the next page, at most one at a time.
import { useCallback, useRef, useState } from 'react';
import { regionsApi } from '../api/endpoints';
import { errorMessage } from '../api/request';
import type { Region, RegionListQuery } from '../api/types';

const PAGE_SIZE = 20;

export type RegionPagesStatus = 'idle' | 'loading' | 'ready' | 'error';
type Query = Omit<RegionListQuery, 'page' | 'pageSize'>;

export function useRegionPages() {
  const [items, setItems] = useState<Region[]>([]);
  const [total, setTotal] = useState(0);
  const [status, setStatus] = useState<RegionPagesStatus>('idle');
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const generation = useRef(0);
  const current = useRef<{ query: Query; page: number }>({ query: {}, page: 1 });

  const first = useCallback(async (query: Query) => {
    const gen = ++generation.current;
    current.current = { query, page: 1 };
    setStatus('loading');
    setError('');
    setItems([]);
    setTotal(0);
    setLoadingMore(false);
    try {
      const res = await regionsApi.list({ ...query, page: 1, pageSize: PAGE_SIZE }, { toast: false });
      if (gen !== generation.current) return;
      setItems(res.items);
      setTotal(res.total);
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      setError(errorMessage(e));
      setStatus('error');
    }
  }, []);

  const more = useCallback(async () => {
    if (loadingMore) return;
    const gen = generation.current;
    const next = current.current.page + 1;
    setLoadingMore(true);
    try {
      const res = await regionsApi.list({ ...current.current.query, page: next, pageSize: PAGE_SIZE });
      if (gen !== generation.current) return;
      setItems((prev) => [...prev, ...res.items.filter((r) => !prev.some((p) => p.id === r.id))]);
      setTotal(res.total);
      current.current = { ...current.current, page: next };
    } catch {
      // the request wrapper already showed the message as a toast; the button stays for another try
    } finally {
      if (gen === generation.current) setLoadingMore(false);
    }
  }, [loadingMore]);

  return { items, total, status, error, loadingMore, hasMore: status === 'ready' && items.length < total, first, more };
}
