// One article for readers: title, column, source, author and time, the cover, the body (sanitised
// rich text), views, 点赞 (at once, taken back if the server refuses), the comments, and sharing
// (the share card in WeChat; 复制链接 in a browser).
import { useCallback, useEffect, useRef } from 'react';
import { Button, Image, RichText, Text, View } from '@tarojs/components';
import Taro, { useRouter, useShareAppMessage, useShareTimeline } from '@tarojs/taro';
import { newsApi } from '../../api/endpoints';
import { LOGIN_PAGE } from '../../api/request';
import type { ArticleDetail } from '../../api/types';
import { ArticleTags } from '../../components/ArticleCard';
import { CommentSection } from '../../components/CommentSection';
import { PendingPage } from '../../components/StateView';
import { useLoadedItem } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { getSession } from '../../store/session';
import { DECORATIVE_IMAGE } from '../../utils/a11y';
import { articleUrl, formatTime, photoSrc, richTextBody } from '../../utils/news';
import { withPrivacy } from '../../utils/privacy';
import { showShareMenus } from '../../utils/share';
import './index.scss';

export default function ArticlePage() {
  const pageClass = usePageClass('article');
  const id = useRouter().params.id ?? '';
  const load = useCallback(() => newsApi.get(id, { toast: false }), [id]);
  const { item: article, status, error, reload, update } = useLoadedItem(id ? load : null, '没有找到这篇文章');
  const articleRef = useRef<ArticleDetail | null>(null);
  articleRef.current = article;
  const liking = useRef(false);

  useEffect(() => {
    showShareMenus();
  }, []);

  useShareAppMessage(() => {
    const a = articleRef.current;
    return { title: a?.title ?? '县融新闻', path: articleUrl(id), imageUrl: a?.cover ? photoSrc(a.cover.url) : undefined };
  });
  // 朋友圈 takes a query for this page, not a path.
  useShareTimeline(() => {
    const a = articleRef.current;
    return { title: a?.title ?? '县融新闻', query: `id=${encodeURIComponent(id)}`, imageUrl: a?.cover ? photoSrc(a.cover.url) : undefined };
  });

  /** Shown liked at once; the server's count replaces the guess, a refusal puts the old state back. */
  const toggleLike = async () => {
    if (!getSession()) return void Taro.navigateTo({ url: LOGIN_PAGE });
    const before = articleRef.current;
    if (!before || liking.current) return;
    liking.current = true;
    const want = !before.liked;
    update((a) => ({ ...a, liked: want, likes: Math.max(0, a.likes + (want ? 1 : -1)) }));
    try {
      const result = want ? await newsApi.like(id) : await newsApi.unlike(id);
      update((a) => ({ ...a, liked: result.liked, likes: result.likes }));
    } catch {
      // The request layer has shown why.
      update((a) => ({ ...a, liked: before.liked, likes: before.likes }));
    } finally {
      liking.current = false;
    }
  };

  // The clipboard is a privacy API in WeChat (held until the guide is agreed); no gate in H5.
  const copyLink = () => {
    const href = typeof window !== 'undefined' ? window.location.href : articleUrl(id);
    void withPrivacy(() => Taro.setClipboardData({ data: href })).catch(() => undefined);
  };

  if (status !== 'ready' || !article) return <PendingPage className={pageClass} status={status} error={error} onRetry={id ? () => void reload() : undefined} />;

  return (
    <View className={pageClass}>
      <ArticleTags article={article} />
      <Text className='article__title'>{article.title}</Text>
      <View className='article__meta'>
        <Text className='article__meta-item article__column'>{article.columnName}</Text>
        <Text className='article__meta-item'>{article.source}</Text>
        <Text className='article__meta-item'>{`作者：${article.author}`}</Text>
        <Text className='article__meta-item'>{formatTime(article.publishedAt)}</Text>
      </View>
      {article.cover ? <Image className='article__cover' src={photoSrc(article.cover.url)} mode='widthFix' nativeProps={DECORATIVE_IMAGE} /> : null}
      <View className='article__body'>
        <RichText nodes={richTextBody(article.bodyHtml)} />
      </View>

      <View className='article__stats'>
        <Text className='article__views'>{`阅读 ${article.views}`}</Text>
        <Button className={`article__like${article.liked ? ' article__like--on' : ''}`} onClick={() => void toggleLike()}>
          {`${article.liked ? '已赞' : '点赞'} ${article.likes}`}
        </Button>
        {process.env.TARO_ENV === 'h5' ? (
          <Button className='article__share' onClick={copyLink}>
            复制链接
          </Button>
        ) : null}
      </View>

      <CommentSection
        articleId={article.id}
        onPosted={(c) => {
          if (c.state === 'visible') update((a) => ({ ...a, comments: a.comments + 1 }));
        }}
      />
    </View>
  );
}
