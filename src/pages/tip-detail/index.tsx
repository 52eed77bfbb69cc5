// One tip as its tipster sees it (also the page the newsroom's reply message opens): where it
// stands, what was sent, the newsroom's replies and every step. Read each time the page shows.
import { useCallback } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { tipsApi } from '../../api/endpoints';
import type { TipDetail } from '../../api/types';
import { PendingPage } from '../../components/StateView';
import { useLoadedItem } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { appealDetailUrl } from '../../utils/appeal';
import { TipFacts, TipHistory, TipReplies, useReadAgain } from './tip-view';
import './index.scss';

/** What each state means to the tipster, in words. */
const STATE_NOTES: Record<TipDetail['state'], string> = {
  new: '编辑部会尽快查看您的爆料。',
  taken: '编辑部已认领，正在核实。',
  used: '您的爆料已被采用，感谢您！',
  declined: '这条爆料暂未被采用，感谢您的支持。',
  moved: '您的爆料已转为诉求，可在「我的诉求」查看进度。',
};

export default function TipDetailPage() {
  const pageClass = usePageClass('tip-detail');
  const id = useRouter().params.id ?? '';
  const read = useCallback(() => tipsApi.get(id, { toast: false }), [id]);
  const loaded = useLoadedItem<TipDetail>(id ? read : null, '没有找到这条爆料');
  const tip = loaded.item;

  useReadAgain(loaded.reload);

  if (loaded.status !== 'ready' || !tip) return <PendingPage className={pageClass} status={loaded.status} error={loaded.error} onRetry={() => void loaded.reload()} />;

  return (
    <View className={pageClass}>
      <View className={`card tip-detail__status tip-detail__status--${tip.state}`}>
        <Text className='tip-detail__state'>{tip.stateLabel}</Text>
        <Text className='tip-detail__line'>{STATE_NOTES[tip.state]}</Text>
        {tip.state === 'declined' && tip.declineReason ? <Text className='tip-detail__line'>{`说明：${tip.declineReason}`}</Text> : null}
        {tip.state === 'moved' && tip.appealId ? (
          <Text className='tip-detail__line tip-detail__link' onClick={() => void Taro.navigateTo({ url: appealDetailUrl(tip.appealId!) })}>
            {`诉求编号 ${tip.appealNumber ?? ''}，查看办理进度 ›`}
          </Text>
        ) : null}
      </View>
      <TipReplies history={tip.history} />
      <TipFacts tip={tip} />
      <TipHistory history={tip.history} />
    </View>
  );
}
