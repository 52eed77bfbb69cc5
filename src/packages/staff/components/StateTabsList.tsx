// A staff queue with one tab a state (`?state=` opens one), newest first, paged by cursor, read
// again on coming back from an item (it may have moved on) and on pull-down: 爆料线索, 议事管理,
// 高频诉求. A new tab makes a new loader, so the list empties and reads its first page again.
import { useCallback, useState, type ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { NewsCursorList } from '../../../components/NewsCursorList';
import { useCursorList, type CursorPage } from '../../../hooks/use-cursor-list';
import { useListPageEvents } from './NewsHooks';

export interface StateTab<S extends string> {
  state: S;
  label: string;
}

export interface StateTabsListProps<S extends string, T> {
  tabs: ReadonlyArray<StateTab<S>>;
  /** One page of a state's items (keep it stable: a module-level function). */
  fetch: (state: S, cursor: string | undefined) => Promise<CursorPage<T>>;
  idOf: (item: T) => string;
  /** What the list holds, for its empty text: 没有「<tab>」的<what>. */
  what: string;
  renderItem: (item: T) => ReactNode;
}

export function StateTabsList<S extends string, T>({ tabs, fetch, idOf, what, renderItem }: StateTabsListProps<S, T>) {
  const asked = useRouter().params.state;
  const [state, setState] = useState<S>(() => tabs.find((t) => t.state === asked)?.state ?? tabs[0].state);
  const load = useCallback((cursor: string | undefined) => fetch(state, cursor), [fetch, state]);
  const list = useCursorList(load, { idOf });
  useListPageEvents(list);

  const label = tabs.find((t) => t.state === state)?.label ?? '';
  return (
    <>
      <View className='news-tabs'>
        {tabs.map((t) => (
          <Text key={t.state} className={`news-tab${state === t.state ? ' news-tab--on' : ''}`} onClick={() => setState(t.state)}>
            {t.label}
          </Text>
        ))}
      </View>
      <NewsCursorList list={list} emptyText={`没有「${label}」的${what}`} renderItem={renderItem} />
    </>
  );
}
