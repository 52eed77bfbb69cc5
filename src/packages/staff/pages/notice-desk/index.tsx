// 通知管理: the notices this person may manage (the server scopes them), by state, with how their
// deliveries to group chats stand; 新建通知. A draft opens the editor, a published one its deliveries.
import { useCallback, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { noticesApi } from '../../../../api/endpoints';
import type { NoticeManageItem, NoticeState } from '../../../../api/types';
import { NewsCursorList } from '../../../../components/NewsCursorList';
import { useCursorList } from '../../../../hooks/use-cursor-list';
import { usePageClass } from '../../../../hooks/use-page-class';
import { NOTICE_STATES, NOTICE_STATE_LABELS } from '../../../../../common/news-labels';
import { NoticeManageRow } from '../../components/NoticeManageRow';
import { staffPage } from '../../shared';
import { useListPageEvents } from '../../components/NewsHooks';
import './index.scss';

const PAGE_SIZE = 20;
const idOf = (n: NoticeManageItem) => n.id;

export default function NoticeDeskPage() {
  const pageClass = usePageClass('notice-desk');
  const [state, setState] = useState<NoticeState | null>(null);
  const load = useCallback((cursor: string | undefined) => noticesApi.manage({ state: state ?? undefined, cursor, limit: PAGE_SIZE }, { toast: false }), [state]);
  const list = useCursorList(load, { idOf });

  useListPageEvents(list);

  const open = (n: NoticeManageItem) =>
    void Taro.navigateTo({ url: staffPage(n.state === 'draft' ? 'notice-edit' : 'notice-deliveries', { id: n.id }) });

  return (
    <View className={pageClass}>
      <Button className='btn btn--primary news-button' onClick={() => void Taro.navigateTo({ url: staffPage('notice-edit') })}>
        新建通知
      </Button>
      <View className='news-tabs'>
        <Text className={`news-tab news-tab--sub${state === null ? ' news-tab--on' : ''}`} onClick={() => setState(null)}>
          全部
        </Text>
        {NOTICE_STATES.map((s) => (
          <Text key={s} className={`news-tab news-tab--sub${state === s ? ' news-tab--on' : ''}`} onClick={() => setState(s)}>
            {NOTICE_STATE_LABELS[s]}
          </Text>
        ))}
      </View>

      <View className='card'>
        <NewsCursorList
          list={list}
          emptyText={state ? `没有「${NOTICE_STATE_LABELS[state]}」的通知` : '还没有通知'}
          renderItem={(n) => <NoticeManageRow key={n.id} notice={n} onOpen={open} />}
        />
      </View>
    </View>
  );
}
