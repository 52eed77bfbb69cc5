// 爆料线索: the newsroom's queue of residents' tips, one tab a state (待处理 / 已认领 / 已采用 /
// 未采用, `?state=` opens one), newest first, paged by cursor; read again on coming back from a tip
// (it may have moved on) and on pull-down. Tapping a tip opens tips-handle.
import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { tipsApi } from '../../../../api/endpoints';
import type { TipState, TipSummary } from '../../../../api/types';
import { NewsCursorList } from '../../../../components/NewsCursorList';
import { useCursorList } from '../../../../hooks/use-cursor-list';
import { usePageClass } from '../../../../hooks/use-page-class';
import { TIP_STATE_TABS, TipCard } from '../../../../pages/tip-detail/tip-view';
import { useListPageEvents } from '../../components/NewsHooks';
import { staffPage } from '../../shared';
import './index.scss';

const PAGE_SIZE = 20;
const idOf = (t: TipSummary) => t.id;
const asState = (v: string | undefined): TipState => TIP_STATE_TABS.find((t) => t.state === v)?.state ?? 'new';

export default function TipsQueuePage() {
  const pageClass = usePageClass('tips');
  const [state, setState] = useState<TipState>(asState(useRouter().params.state));
  // A new tab makes a new loader: the list empties and reads its first page again.
  const load = useCallback((cursor: string | undefined) => tipsApi.list({ view: 'queue', state, cursor, limit: PAGE_SIZE }, { toast: false }), [state]);
  const list = useCursorList(load, { idOf });
  useListPageEvents(list);

  const label = TIP_STATE_TABS.find((t) => t.state === state)?.label ?? '';
  return (
    <View className={pageClass}>
      <View className='news-tabs'>
        {TIP_STATE_TABS.map((t) => (
          <Text key={t.state} className={`news-tab${state === t.state ? ' news-tab--on' : ''}`} onClick={() => setState(t.state)}>
            {t.label}
          </Text>
        ))}
      </View>
      <NewsCursorList
        list={list}
        emptyText={`没有「${label}」的爆料`}
        renderItem={(t) => <TipCard key={t.id} tip={t} onClick={() => void Taro.navigateTo({ url: staffPage('tips-handle', { id: t.id }) })} />}
      />
    </View>
  );
}
