// One article in the feed or the search results: cover thumbnail, title, source · time, and the
// 置顶 / 紧急 tags. The whole card is the touch target.
import { Image, Text, View } from '@tarojs/components';
import type { ArticleSummary } from '../api/types';
import { DECORATIVE_IMAGE } from '../utils/a11y';
import { photoSrc, sourceAndTime } from '../utils/news';
import { NewsTag } from './NewsTag';
import './ArticleCard.scss';

export function ArticleTags({ article }: { article: Pick<ArticleSummary, 'pinned' | 'emergency'> }) {
  if (!article.emergency && !article.pinned) return null;
  return (
    <View className='article-tags'>
      {article.emergency ? <NewsTag tone='emergency'>紧急</NewsTag> : null}
      {article.pinned ? <NewsTag tone='pinned'>置顶</NewsTag> : null}
    </View>
  );
}

export function ArticleCard({ article, onClick, showColumn = false }: { article: ArticleSummary; onClick?: () => void; showColumn?: boolean }) {
  return (
    <View className='article-card' onClick={onClick}>
      <View className='article-card__main'>
        <ArticleTags article={article} />
        <Text className='article-card__title'>{article.title}</Text>
        <Text className='article-card__meta'>
          {showColumn ? `${article.columnName} · ${sourceAndTime(article.source, article.publishedAt)}` : sourceAndTime(article.source, article.publishedAt)}
        </Text>
      </View>
      {article.cover ? <Image className='article-card__thumb' src={photoSrc(article.cover.thumbUrl)} mode='aspectFill' nativeProps={DECORATIVE_IMAGE} /> : null}
    </View>
  );
}
