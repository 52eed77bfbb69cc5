// 稿件 (?id=): the article as readers will see it (RichText), its state and review level, its
// history, and exactly the buttons the server allows this person now (`allowedActions`). When
// someone else was faster the server answers 409: the wrapper's toast says why and the page
// reloads what is true now; a refusal of what was typed (400) keeps the form.
import { useCallback, useRef, useState } from 'react';
import { Button, Image, RichText, Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro';
import { articlesApi } from '../../../../api/endpoints';
import { ApiError } from '../../../../api/request';
import type { ArticleManageDetail } from '../../../../api/types';
import { PendingPage } from '../../../../components/StateView';
import { useLoadedItem } from '../../../../hooks/use-cursor-list';
import { usePageClass } from '../../../../hooks/use-page-class';
import { DECORATIVE_IMAGE } from '../../../../utils/a11y';
import { photoSrc } from '../../../../utils/appeal';
import { ArticleHistory } from './ArticleHistory';
import { articleStateText } from '../../components/ArticleManageRow';
import { ArticleMoveForm, articleButtons, buttonLabel, immediateMove, type ArticleButton, type ArticleMove } from './ArticleMoves';
import { beijingLabel, isConflict } from '../../components/NewsAccess';
import { staffPage } from '../../shared';
import './index.scss';

type FormButton = Exclude<ArticleButton, 'pin' | 'unpin' | 'edit'>;

export default function ArticleManagePage() {
  const pageClass = usePageClass('article-manage');
  const id = useRouter().params.id ?? '';
  const read = useCallback(() => articlesApi.get(id, { toast: false }), [id]);
  const loaded = useLoadedItem<ArticleManageDetail>(id ? read : null, '缺少稿件编号');
  const article = loaded.item;
  const [form, setForm] = useState<FormButton | null>(null);
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const shownOnce = useRef(false);
  const load = loaded.reload;

  // Also on coming back from the editor (the first show is the hook's own first read).
  useDidShow(() => {
    if (shownOnce.current) void load();
    shownOnce.current = true;
  });
  usePullDownRefresh(() => {
    void load().finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });

  const send = async (move: ArticleMove, label: string) => {
    if (busy || !article) return;
    setBusy(true);
    setFormError('');
    try {
      const next = await articlesApi.move(article.id, move.action, move.body as never);
      loaded.update(() => next); // also drops an older reload still in flight
      setForm(null);
      setDone(`已${label}，当前状态：${articleStateText(next)}`);
      void Taro.showToast({ title: `已${label}`, icon: 'success' });
    } catch (e) {
      if (isConflict(e)) {
        // Someone moved it first (the wrapper toasted why): show what it is now.
        setForm(null);
        setDone('');
        await load();
      } else if (e instanceof ApiError && e.status !== 0) {
        setFormError(e.message);
      }
      // A network failure keeps the form and what was typed.
    } finally {
      setBusy(false);
    }
  };

  const press = (b: ArticleButton) => {
    if (!article) return;
    setDone('');
    setFormError('');
    if (b === 'edit') {
      void Taro.navigateTo({ url: staffPage('article-edit', { id: article.id }) });
      return;
    }
    const now = immediateMove(b, article);
    if (now) void send(now, buttonLabel(b, article));
    else setForm(b as FormButton);
  };

  if (loaded.status !== 'ready' || !article) return <PendingPage className={pageClass} status={loaded.status} error={loaded.error} onRetry={() => void load()} />;

  const buttons = articleButtons(article.allowedActions);

  return (
    <View className={pageClass}>
      <View className='card'>
        <View className='news-item__meta'>
          <Text className={`news-state news-state--${article.state}`}>{articleStateText(article)}</Text>
          <Text>
            {article.columnName} · 需{article.reviewLevels}级审核
          </Text>
        </View>
        <Text className='news-item__title'>
          {article.pinned ? '【置顶】' : ''}
          {article.title}
        </Text>
        <Text className='news-item__meta'>
          {article.source} · {article.author} · {article.regionNames.length ? article.regionNames.join('、') : '全县'}
        </Text>
        {article.state === 'scheduled' && article.publishAt ? <Text className='news-item__meta'>定于 {beijingLabel(article.publishAt)} 发布</Text> : null}
        {article.publishedAt ? (
          <Text className='news-item__meta'>
            发布于 {beijingLabel(article.publishedAt)} · 阅读 {article.views} · 点赞 {article.likes} · 评论 {article.comments}
          </Text>
        ) : null}
        {article.rejectReason && article.state === 'draft' ? <Text className='news-item__warn'>退回原因：{article.rejectReason}</Text> : null}
      </View>

      <View className='card article-manage__actions'>
        <Text className='card__title'>操作</Text>
        {done ? <Text className='news-done'>{done}</Text> : null}
        {buttons.length === 0 ? <Text className='text-muted'>当前没有需要您处理的操作</Text> : null}
        {form === null ? (
          <View className='news-buttons'>
            {buttons.map((b, i) => (
              <Button key={b} className={`btn ${i === 0 ? 'btn--primary' : 'btn--secondary'} news-button`} disabled={busy} onClick={() => press(b)}>
                {buttonLabel(b, article)}
              </Button>
            ))}
          </View>
        ) : (
          <ArticleMoveForm key={form} button={form} busy={busy} error={formError} onSubmit={(m) => void send(m, buttonLabel(form, article))} onCancel={() => setForm(null)} />
        )}
      </View>

      <View className='card'>
        <Text className='card__title'>预览</Text>
        {article.cover ? <Image className='article-manage__cover' src={photoSrc(article.cover.url)} mode='aspectFill' nativeProps={DECORATIVE_IMAGE} /> : null}
        {article.summary ? <Text className='news-hint'>摘要：{article.summary}</Text> : null}
        <RichText className='article-manage__body' nodes={article.bodyHtml} />
      </View>

      <View className='card'>
        <Text className='card__title'>稿件记录</Text>
        <ArticleHistory events={article.history} />
      </View>
    </View>
  );
}
