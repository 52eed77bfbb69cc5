// One article for readers: title, column, source, author and time, the cover, the body (sanitised
// rich text), views, 点赞 (at once, taken back if the server refuses), the comments, and sharing
// (the share card in WeChat; 复制链接 in a browser).
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Image, RichText, Text, View } from '@tarojs/components';
import Taro, { useRouter, useShareAppMessage } from '@tarojs/taro';
import { newsApi } from '../../api/endpoints';
import { LOGIN_PAGE, errorMessage } from '../../api/request';
import type { ArticleDetail } from '../../api/types';
import { ArticleTags } from '../../components/ArticleCard';
import { CommentSection } from '../../components/CommentSection';
import { ErrorState, LoadingState } from '../../components/StateView';
import { usePageClass } from '../../hooks/use-page-class';
import { getSession } from '../../store/session';
import { articleUrl, formatTime, photoSrc, richTextBody } from '../../utils/news';
import './index.scss';

type Status = 'loading' | 'ready' | 'error';

export default function ArticlePage() {
  const pageClass = usePageClass('article');
  const id = useRouter().params.id ?? '';
  const [status, setStatus] = useState<Status>('loading');
  const [article, setArticle] = useState<ArticleDetail | null>(null);
  const [error, setError] = useState('');
  const articleRef = useRef<ArticleDetail | null>(null);
  articleRef.current = article;
  const liking = useRef(false);
  const generation = useRef(0);

  const load = useCallback(async () => {
    if (!id) {
      setError('没有找到这篇文章');
      setStatus('error');
      return;
    }
    const gen = ++generation.current;
    setStatus((s) => (s === 'ready' ? s : 'loading'));
    try {
      const detail = await newsApi.get(id, { toast: false });
      if (gen !== generation.current) return;
      setArticle(detail);
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      setError(errorMessage(e));
      setStatus((s) => (s === 'ready' ? s : 'error'));
    }
  }, [id]);

  useEffect(() => {
    void load();
    if (process.env.TARO_ENV === 'weapp') void Taro.showShareMenu({ withShareTicket: false });
  }, [load]);

  useShareAppMessage(() => {
    const a = articleRef.current;
    return { title: a?.title ?? '县融新闻', path: articleUrl(id), imageUrl: a?.cover ? photoSrc(a.cover.url) : undefined };
  });

  /** Shown liked at once; the server's count replaces the guess, a refusal puts the old state back. */
  const toggleLike = async () => {
    if (!getSession()) return void Taro.navigateTo({ url: LOGIN_PAGE });
    const before = articleRef.current;
    if (!before || liking.current) return;
    liking.current = true;
    const want = !before.liked;
    // Answers to an earlier load of the article must not overwrite the optimistic state.
    generation.current++;
    setArticle({ ...before, liked: want, likes: Math.max(0, before.likes + (want ? 1 : -1)) });
    try {
      const result = want ? await newsApi.like(id) : await newsApi.unlike(id);
      setArticle((a) => (a ? { ...a, liked: result.liked, likes: result.likes } : a));
    } catch {
      // The request layer has shown why.
      setArticle((a) => (a ? { ...a, liked: before.liked, likes: before.likes } : a));
    } finally {
      liking.current = false;
    }
  };

  const copyLink = () => {
    const href = typeof window !== 'undefined' ? window.location.href : articleUrl(id);
    void Taro.setClipboardData({ data: href });
  };

  if (status === 'loading') {
    return (
      <View className={pageClass}>
        <LoadingState />
      </View>
    );
  }
  if (status === 'error' || !article) {
    return (
      <View className={pageClass}>
        <ErrorState message={`加载失败：${error}`} onRetry={id ? () => void load() : undefined} />
      </View>
    );
  }

  return (
    <View className={pageClass}>
      <ArticleTags article={article} />
      <Text className='article__title'>{article.title}</Text>
      <View className='article__meta'>
        <Text className='article__column'>{article.columnName}</Text>
        <Text>{article.source}</Text>
        <Text>{`作者：${article.author}`}</Text>
        <Text>{formatTime(article.publishedAt)}</Text>
      </View>
      {article.cover ? <Image className='article__cover' src={photoSrc(article.cover.url)} mode='widthFix' /> : null}
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
          if (c.state === 'visible') setArticle((a) => (a ? { ...a, comments: a.comments + 1 } : a));
        }}
      />
    </View>
  );
}
