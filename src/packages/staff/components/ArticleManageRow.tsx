// One article in the newsroom's lists: title, state (and the review level waiting), column, who
// wrote it and when, and the reason it was sent back.
import { Text, View } from '@tarojs/components';
import type { ArticleManageItem } from '../../../api/types';
import { REVIEW_LEVEL_LABELS } from '../../../../common/news-labels';
import { beijingLabel } from './NewsAccess';

/** '审核中 · 复审 (2/3)' for an article waiting at a level; the state label otherwise. */
export function articleStateText(a: Pick<ArticleManageItem, 'state' | 'stateLabel' | 'reviewLevel' | 'reviewLevels'>): string {
  if (a.state === 'review' && a.reviewLevel) return `${a.stateLabel} · ${REVIEW_LEVEL_LABELS[a.reviewLevel] ?? ''}（${a.reviewLevel}/${a.reviewLevels}）`;
  return a.stateLabel;
}

export function ArticleManageRow({ article, onOpen }: { article: ArticleManageItem; onOpen: (a: ArticleManageItem) => void }) {
  return (
    <View className='news-item' onClick={() => onOpen(article)}>
      <Text className='news-item__title'>
        {article.pinned ? '【置顶】' : ''}
        {article.title}
      </Text>
      <View className='news-item__meta'>
        <Text className={`news-state news-state--${article.state}`}>{articleStateText(article)}</Text>
        <Text>{article.columnName}</Text>
      </View>
      <Text className='news-item__meta'>
        {article.createdByName} · 更新于 {beijingLabel(article.updatedAt)}
        {article.state === 'scheduled' && article.publishAt ? ` · 定于 ${beijingLabel(article.publishAt)} 发布` : ''}
        {article.state === 'published' && article.publishedAt ? ` · 发布于 ${beijingLabel(article.publishedAt)}` : ''}
      </Text>
      {article.rejectReason && article.state === 'draft' ? <Text className='news-item__warn'>退回原因：{article.rejectReason}</Text> : null}
    </View>
  );
}
