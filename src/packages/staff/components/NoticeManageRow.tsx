// One notice in the notice desk: title, level, state, scope and how its group-chat deliveries stand.
import { Text, View } from '@tarojs/components';
import type { NoticeManageItem } from '../../../api/types';
import { beijingLabel } from './NewsAccess';

/** Deliveries sent and in all, from the per-state counts. */
export function deliveryTotals(counts: Partial<Record<string, number>>): { sent: number; total: number } {
  const total = Object.values(counts).reduce<number>((s, n) => s + (n ?? 0), 0);
  return { sent: counts.sent ?? 0, total };
}

export function NoticeManageRow({ notice, onOpen }: { notice: NoticeManageItem; onOpen: (n: NoticeManageItem) => void }) {
  const { sent, total } = deliveryTotals(notice.deliveries);
  const failed = notice.deliveries.failed ?? 0;
  return (
    <View className='news-item' onClick={() => onOpen(notice)}>
      <Text className='news-item__title'>{notice.title}</Text>
      <View className='news-item__meta'>
        <Text className={`news-state news-state--${notice.level}`}>{notice.levelLabel}</Text>
        <Text className={`news-state news-state--${notice.state}`}>{notice.stateLabel}</Text>
        {notice.state !== 'draft' ? <Text>{`已发送 ${sent} / 共 ${total}`}</Text> : null}
      </View>
      <Text className='news-item__meta'>
        {notice.regionNames.join('、') || '全县'} · {notice.createdByName} ·{' '}
        {notice.publishedAt ? `发布于 ${beijingLabel(notice.publishedAt)}` : `更新于 ${beijingLabel(notice.updatedAt)}`}
      </Text>
      {failed ? <Text className='news-item__warn'>{`${failed} 个群发送失败`}</Text> : null}
    </View>
  );
}
