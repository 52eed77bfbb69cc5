// 评论审核: comments held for a sensitive word (待审核) and comments hidden by readers' reports
// (被举报). 通过 shows the comment, 删除 removes it; a decided comment leaves the list. When another
// editor decided first (409) the wrapper's toast says so and the list reloads.
import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { commentsApi } from '../../../../api/endpoints';
import type { ModerationItem } from '../../../../api/types';
import { NewsCursorList } from '../../../../components/NewsCursorList';
import { useCursorList } from '../../../../hooks/use-cursor-list';
import { usePageClass } from '../../../../hooks/use-page-class';
import { ModerationRow } from './ModerationRow';
import { isConflict } from '../../components/NewsAccess';
import { useListPageEvents } from '../../components/NewsHooks';
import './index.scss';

type Tab = 'held' | 'hidden';
const TABS: { tab: Tab; label: string; empty: string }[] = [
  { tab: 'held', label: '待审核', empty: '没有待审核的评论' },
  { tab: 'hidden', label: '被举报', empty: '没有被举报的评论' },
];
const PAGE_SIZE = 20;
const idOf = (c: ModerationItem) => c.id;

export default function ModerationPage() {
  const pageClass = usePageClass('moderation');
  const [tab, setTab] = useState<Tab>('held');
  const [busyId, setBusyId] = useState<string | null>(null);
  const load = useCallback((cursor: string | undefined) => commentsApi.moderation({ state: tab, cursor, limit: PAGE_SIZE }, { toast: false }), [tab]);
  const list = useCursorList(load, { idOf });

  useListPageEvents(list);

  const decide = async (item: ModerationItem, decision: 'approve' | 'remove') => {
    if (busyId) return;
    if (decision === 'remove') {
      const { confirm } = await Taro.showModal({ title: '删除评论', content: '删除后读者将看不到这条评论，确定吗？', confirmText: '删除' });
      if (!confirm) return;
    }
    setBusyId(item.id);
    try {
      await commentsApi.decide(item.id, { decision });
      list.mutate((prev) => prev.filter((c) => c.id !== item.id));
      void Taro.showToast({ title: decision === 'approve' ? '已通过' : '已删除', icon: 'success' });
    } catch (e) {
      // Another editor decided first: show the list as it is now.
      if (isConflict(e)) await list.refresh();
    } finally {
      setBusyId(null);
    }
  };

  const empty = TABS.find((t) => t.tab === tab)!.empty;

  return (
    <View className={pageClass}>
      <View className='news-tabs'>
        {TABS.map((t) => (
          <Text key={t.tab} className={`news-tab${tab === t.tab ? ' news-tab--on' : ''}`} onClick={() => setTab(t.tab)}>
            {t.label}
          </Text>
        ))}
      </View>

      <View className='card'>
        <NewsCursorList list={list} emptyText={empty} renderItem={(c) => <ModerationRow key={c.id} item={c} busy={busyId !== null} onDecide={(i, d) => void decide(i, d)} />} />
      </View>
    </View>
  );
}
