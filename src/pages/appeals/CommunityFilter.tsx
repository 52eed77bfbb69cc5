// The board's community (社区/村) filter: a button that opens a search over the county's communities
// by name, twenty at a time with 加载更多, so a county of hundreds of villages has every one within
// reach (a picker of the first hundred left the rest out). 全部社区/村 clears the filter.
import { useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import type { Region } from '../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateView';
import { useRegionPages } from '../../hooks/use-region-pages';
import { controlLabel } from '../../utils/a11y';
import { regionLabel } from '../../utils/region';

export const ALL_COMMUNITIES = '全部社区/村';

/** `regionId` chosen (undefined: all); the button shows the chosen community's name. */
export function CommunityFilter({ regionId, onChange }: { regionId?: string; onChange: (regionId: string | undefined) => void }) {
  const [open, setOpen] = useState(false);
  const [label, setLabel] = useState(ALL_COMMUNITIES);
  const [input, setInput] = useState('');
  // What was searched (the input may change after).
  const [searched, setSearched] = useState('');
  const list = useRegionPages();
  const { items, total, status, error, loadingMore } = list;

  const search = (q: string) => {
    const name = q.trim();
    setSearched(name);
    void list.first({ level: 'community', q: name || undefined });
  };

  const toggle = () => {
    if (!open && status === 'idle') search('');
    setOpen(!open);
  };
  const choose = (r: Region | null) => {
    setLabel(r ? (regionLabel(r) ?? r.name) : ALL_COMMUNITIES);
    setOpen(false);
    onChange(r?.id);
  };

  // Two children of the filters' row: the button beside the category's, the panel on a row of its own.
  return (
    <>
      <View className='board-filters__pick' onClick={toggle}>
        <Text>{regionId ? label : ALL_COMMUNITIES}</Text>
        <Text className='board-filters__arrow'>{open ? '▴' : '▾'}</Text>
      </View>
      {open ? (
        <View className='card community-filter__panel'>
          <View className='community-filter__search'>
            <Input
              className='community-filter__input'
              value={input}
              placeholder='输入社区或村的名称'
              nativeProps={controlLabel('社区或村的名称')}
              onInput={(e) => setInput(e.detail.value)}
              onConfirm={(e) => search(e.detail.value)}
            />
            <Button className='btn btn--primary community-filter__go' onClick={() => search(input)}>
              搜索
            </Button>
          </View>
          <View className='list-row' onClick={() => choose(null)}>
            <Text className='list-row__main'>{ALL_COMMUNITIES}</Text>
          </View>
          {status === 'loading' ? <LoadingState /> : null}
          {status === 'error' ? <ErrorState message={`加载失败：${error}`} onRetry={() => search(searched)} /> : null}
          {status === 'ready' && items.length === 0 ? <EmptyState text={searched ? `没有名称含「${searched}」的社区/村` : '暂无社区/村'} /> : null}
          {status === 'ready'
            ? items.map((r) => (
                <View key={r.id} className={`list-row${r.id === regionId ? ' community-filter__row--on' : ''}`} onClick={() => choose(r)}>
                  <Text className='list-row__main'>{regionLabel(r) ?? r.name}</Text>
                </View>
              ))
            : null}
          {list.hasMore ? (
            <Button className='btn btn--secondary' disabled={loadingMore} onClick={() => void list.more()}>
              {loadingMore ? '加载中…' : `加载更多（共${total}个）`}
            </Button>
          ) : null}
        </View>
      ) : null}
    </>
  );
}
