// 议事: the consultations that ask the resident's community (and its township's, the county's),
// tabs 投票中 / 已结束 (`?state=closed` opens the second), newest first, paged by cursor (加载更多 or
// reaching the bottom), read again when the page shows again (a vote may have moved the counts) and
// on pull-down; loading, empty and failed states as the other lists (NewsCursorList).
import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useReachBottom, useRouter } from '@tarojs/taro';
import { consultationsApi } from '../../api/endpoints';
import type { ConsultationSummary } from '../../api/types';
import { NewsCursorList } from '../../components/NewsCursorList';
import { useCurrentUser } from '../../hooks/use-current-user';
import { useCursorList } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { regionLabel } from '../../utils/region';
import { useReadAgain } from '../tip-detail/tip-view';
import { CONSULTATION_TABS, ConsultationCard, GROUP_VOTE_HINT, consultationUrl } from '../consultation-detail/consultation-view';
import './index.scss';

const PAGE_SIZE = 20;
const idOf = (c: ConsultationSummary) => c.id;

export default function ConsultationListPage() {
  const pageClass = usePageClass('consultation-list');
  const user = useCurrentUser();
  const [state, setState] = useState<'open' | 'closed'>(useRouter().params.state === 'closed' ? 'closed' : 'open');
  // A new tab makes a new loader: the list empties and reads its first page again.
  const load = useCallback((cursor: string | undefined) => consultationsApi.list({ state, cursor, limit: PAGE_SIZE }, { toast: false }), [state]);
  const list = useCursorList(load, { idOf });

  useReadAgain(list.refresh);
  useReachBottom(() => void list.loadMore());

  const community = regionLabel(user?.region);
  return (
    <View className={pageClass}>
      <Text className='consultation-list__hint'>
        {community ? `社区的事大家商量：这里是「${community}」和上级发起的议事。` : '社区的事大家商量。登录并选择所在社区后，可以为本社区的议事投票。'}
      </Text>
      <Text className='consultation-list__hint'>{GROUP_VOTE_HINT}</Text>
      <View className='consultation-tabs'>
        {CONSULTATION_TABS.map((t) => (
          <Text key={t.state} className={`consultation-tab${state === t.state ? ' consultation-tab--on' : ''}`} onClick={() => setState(t.state)}>
            {t.label}
          </Text>
        ))}
      </View>
      <NewsCursorList
        list={list}
        emptyText={state === 'open' ? '现在没有正在投票的议事' : '还没有已结束的议事'}
        renderItem={(c) => <ConsultationCard key={c.id} item={c} onClick={() => void Taro.navigateTo({ url: consultationUrl(c.id) })} />}
      />
    </View>
  );
}
