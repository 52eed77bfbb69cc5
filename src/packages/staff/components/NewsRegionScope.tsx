// The regions an article or notice is for: none chosen means the whole county. Community staff
// pick among their own communities; everyone else picks townships (乡镇/街道) and, below a
// township, its communities (社区/村).
import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { regionsApi } from '../../../api/endpoints';
import { errorMessage } from '../../../api/request';
import type { RegionSummary } from '../../../api/types';
import { ErrorState, LoadingState } from '../../../components/StateView';

export interface NewsRegionScopeProps {
  chosen: RegionSummary[];
  onChange: (chosen: RegionSummary[]) => void;
  /** Only these regions may be chosen (community staff's communities); null: the county's townships. */
  only?: RegionSummary[] | null;
  /** What an empty choice means ('全县' for articles; community staff must choose). */
  emptyLabel?: string;
}

const toSummary = (r: RegionSummary): RegionSummary => ({ id: r.id, name: r.name, level: r.level, pathNames: r.pathNames });

function useChildren(parentId: string | null, level: 'township' | null) {
  const [items, setItems] = useState<RegionSummary[] | null>(null);
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    setItems(null);
    setError('');
    if (!parentId && !level) return;
    let live = true;
    const query = parentId ? { parentId, pageSize: 100 } : { level: level!, pageSize: 100 };
    regionsApi
      .list(query, { toast: false })
      .then((res) => live && setItems(res.items.map(toSummary)))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [parentId, level, attempt]);
  return { items, error, retry: () => setAttempt((n) => n + 1) };
}

export function NewsRegionScope({ chosen, onChange, only = null, emptyLabel = '全县' }: NewsRegionScopeProps) {
  const [open, setOpen] = useState<RegionSummary | null>(null);
  const townships = useChildren(null, only ? null : 'township');
  const communities = useChildren(open?.id ?? null, null);
  const isOn = (r: RegionSummary) => chosen.some((c) => c.id === r.id);
  const toggle = (r: RegionSummary) => onChange(isOn(r) ? chosen.filter((c) => c.id !== r.id) : [...chosen, toSummary(r)]);

  const chip = (r: RegionSummary) => (
    <Text key={r.id} className={`chip${isOn(r) ? ' chip--on' : ''}`} onClick={() => toggle(r)}>
      {isOn(r) ? `✓ ${r.name}` : r.name}
    </Text>
  );

  return (
    <View className='news-scope'>
      <Text className='news-hint'>{chosen.length ? `已选：${chosen.map((r) => r.name).join('、')}` : `未选择：${emptyLabel}`}</Text>
      {only ? (
        only.length ? <View className='chips'>{only.map(chip)}</View> : <Text className='text-muted'>您没有负责的社区</Text>
      ) : (
        <>
          {townships.items === null && !townships.error ? <LoadingState /> : null}
          {townships.error ? <ErrorState message={`加载失败：${townships.error}`} onRetry={townships.retry} /> : null}
          {(townships.items ?? []).map((t) => (
            <View key={t.id} className='news-scope__row'>
              {chip(t)}
              <Text className='news-scope__link' onClick={() => setOpen(open?.id === t.id ? null : t)}>
                {open?.id === t.id ? '收起' : '选社区/村 ›'}
              </Text>
              {open?.id === t.id ? (
                <View className='chips'>
                  {communities.items === null && !communities.error ? <LoadingState /> : null}
                  {communities.error ? <ErrorState message={`加载失败：${communities.error}`} onRetry={communities.retry} /> : null}
                  {(communities.items ?? []).map(chip)}
                </View>
              ) : null}
            </View>
          ))}
        </>
      )}
    </View>
  );
}

/** The chosen regions of an article or notice being edited: its ids with the names the server gave. */
export function scopeFromIds(ids: string[], names: string[]): RegionSummary[] {
  return ids.map((id, i) => ({ id, name: names[i] ?? id, level: 'community', pathNames: [] }));
}
