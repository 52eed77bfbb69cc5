// One comment waiting for an editor: the article it is under, the text, why it waits (the words
// that matched, or how many readers reported it) and 通过 / 删除.
import { Button, Text, View } from '@tarojs/components';
import type { ModerationItem } from '../../../../api/types';
import { beijingLabel } from '../../components/NewsAccess';

export interface ModerationRowProps {
  item: ModerationItem;
  busy: boolean;
  onDecide: (item: ModerationItem, decision: 'approve' | 'remove') => void;
}

/** ['垃圾广告', '垃圾广告', '虚假信息'] → '垃圾广告 ×2、虚假信息', most given first. */
export function reasonSummary(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => (n > 1 ? `${r} ×${n}` : r))
    .join('、');
}

export function ModerationRow({ item, busy, onDecide }: ModerationRowProps) {
  return (
    <View className='news-item'>
      <Text className='news-item__meta'>《{item.articleTitle}》</Text>
      <Text className='news-item__title'>{item.text}</Text>
      <Text className='news-item__meta'>
        {item.authorName} · {beijingLabel(item.createdAt)}
      </Text>
      {item.matchedWords.length ? <Text className='news-item__warn'>敏感词：{item.matchedWords.join('、')}</Text> : null}
      {item.heldFor === 'reports' || item.reports > 0 ? <Text className='news-item__warn'>{`被举报 ${item.reports} 次`}</Text> : null}
      {item.reportReasons.length ? <Text className='news-item__warn'>{`举报理由：${reasonSummary(item.reportReasons)}`}</Text> : null}
      <View className='news-buttons'>
        <Button className='btn btn--primary news-button' disabled={busy} onClick={() => onDecide(item, 'approve')}>
          通过
        </Button>
        <Button className='btn btn--secondary news-button' disabled={busy} onClick={() => onDecide(item, 'remove')}>
          删除
        </Button>
      </View>
    </View>
  );
}
