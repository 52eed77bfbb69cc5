// 爆料线索 (?id=): one tip as the newsroom sees it (the tipster by name and phone only when they
// agreed to be contacted), its replies and history, and the moves its state allows: 认领, 回复爆料人,
// 不予采用 (理由), 转为稿件草稿 (栏目; editors only), 标记已采用, 转为诉求 (a tip that is really an
// appeal: community, kind, category; not for a tip a dispatcher sent here from an appeal). Every move carries the version the page
// shows: when someone else moved the tip first the server answers 409, the page says so in Chinese
// and shows what the tip is now. A dropped network keeps the form and what was typed.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { tipsApi } from '../../../../api/endpoints';
import { ApiError, errorMessage } from '../../../../api/request';
import type { TipDetail } from '../../../../api/types';
import { PendingPage } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { useLoadedItem } from '../../../../hooks/use-cursor-list';
import { usePageClass } from '../../../../hooks/use-page-class';
import { TipFacts, TipHistory, TipReplies, useReadAgain } from '../../../../pages/tip-detail/tip-view';
import { isConflict, isEditor } from '../../components/NewsAccess';
import { isStale } from '../../components/NewsHooks';
import { staffPage } from '../../shared';
import { MOVE_DONE, MOVE_LABELS, TipMoveForm, type FormMove, type TipMoveRequest } from './TipMoveForm';
import { TipToAppealForm, type ToAppealBody } from './TipToAppealForm';
import './index.scss';

type Button = FormMove | 'take' | 'to_appeal';

/** Someone else moved the tip after this page read it (409 STALE_VERSION). */
export const TIP_STALE_MESSAGE = '这条爆料刚被其他编辑处理过，已重新加载，请看清当前状态后再操作';

/** The moves this tip's state allows, in the order the buttons show (the server checks again). */
export function tipButtons(tip: Pick<TipDetail, 'state' | 'draftArticleId' | 'fromAppeal'>, canWrite: boolean): Button[] {
  const open = tip.state === 'new' || tip.state === 'taken';
  const list: Button[] = [];
  if (tip.state === 'new') list.push('take');
  // A moved tip is followed as an appeal now (the tipster was told where); the server refuses a reply.
  if (tip.state !== 'moved') list.push('reply');
  if (open && canWrite && !tip.draftArticleId) list.push('draft');
  if (open) list.push('use', 'decline');
  // Back to the appeal loop would file again what a dispatcher already refused there.
  if (open && !tip.fromAppeal) list.push('to_appeal');
  return list;
}

export default function TipsHandlePage() {
  const pageClass = usePageClass('tips-handle');
  const user = useCurrentUser();
  const id = useRouter().params.id ?? '';
  const read = useCallback(() => tipsApi.get(id, { toast: false }), [id]);
  const loaded = useLoadedItem<TipDetail>(id ? read : null, '缺少爆料编号');
  const tip = loaded.item;
  const [form, setForm] = useState<FormMove | 'to_appeal' | null>(null);
  const [formError, setFormError] = useState('');
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const running = useRef(false);

  useReadAgain(loaded.reload);

  /** One move at a time, on the version shown. */
  const send = async (m: TipMoveRequest | { action: 'take'; body: Record<string, never> } | { action: 'to_appeal'; body: ToAppealBody }) => {
    if (running.current || !tip) return;
    running.current = true;
    setBusy(true);
    setFormError('');
    setNotice(null);
    const done = MOVE_DONE[m.action];
    try {
      const next = await tipsApi.move(tip.id, m.action, { ...m.body, version: tip.version } as never, { toast: false });
      loaded.update(() => next); // also drops an older reload still in flight
      setForm(null);
      setNotice({ text: `${done}，当前状态：${next.stateLabel}`, ok: true });
      void Taro.showToast({ title: done, icon: 'success' });
    } catch (e) {
      const message = isStale(e) ? TIP_STALE_MESSAGE : errorMessage(e);
      void Taro.showToast({ title: message, icon: 'none', duration: 3000 });
      if (isConflict(e)) {
        // Moved on meanwhile (by someone else, or it can no longer take this move): show what it is now.
        setForm(null);
        setNotice({ text: message, ok: false });
        await loaded.reload();
      } else if (e instanceof ApiError && e.status !== 0) {
        if (form) setFormError(message);
        else setNotice({ text: message, ok: false });
      }
      // A network failure (status 0): the toast says so; the form keeps what was typed.
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  if (loaded.status !== 'ready' || !tip) return <PendingPage className={pageClass} status={loaded.status} error={loaded.error} onRetry={() => void loaded.reload()} />;

  const buttons = tipButtons(tip, user ? isEditor(user) : false);
  const press = (b: Button) => {
    setNotice(null);
    setFormError('');
    if (b === 'take') void send({ action: 'take', body: {} });
    else setForm(b);
  };
  const article = tip.articleId ?? tip.draftArticleId;

  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>爆料人</Text>
        <Text className='news-item__title'>{tip.tipsterName}</Text>
        {tip.tipsterPhone ? (
          <Text className='tips-handle__phone' onClick={() => void Taro.makePhoneCall({ phoneNumber: tip.tipsterPhone! })}>
            {`电话：${tip.tipsterPhone}（点按拨打）`}
          </Text>
        ) : null}
        <Text className='news-hint'>{tip.mayContact ? '爆料人同意编辑部联系核实。' : '爆料人不希望被联系，姓名和电话不显示。'}</Text>
        {tip.takenBy ? <Text className='news-item__meta'>{`认领编辑：${tip.takenBy}`}</Text> : null}
        {tip.declineReason && tip.state === 'declined' ? <Text className='news-item__warn'>{`不予采用：${tip.declineReason}`}</Text> : null}
        {tip.state === 'moved' && tip.appealId ? (
          <Text className='tips-handle__link' onClick={() => void Taro.navigateTo({ url: staffPage('appeal-handle', { id: tip.appealId! }) })}>
            {`已转为诉求 ${tip.appealNumber ?? ''}，查看诉求 ›`}
          </Text>
        ) : null}
        {tip.fromAppeal ? <Text className='news-hint'>{`由诉求 ${tip.appealNumber ?? ''} 转来：调度员认为属于新闻线索。反映人未授权编辑部联系或署名。`}</Text> : null}
        {article ? (
          <Text className='tips-handle__link' onClick={() => void Taro.navigateTo({ url: staffPage('article-manage', { id: article }) })}>
            {tip.articleId ? '查看采用的稿件 ›' : '查看由此写成的稿件草稿 ›'}
          </Text>
        ) : null}
      </View>

      <View className='card'>
        <Text className='card__title'>操作</Text>
        {notice ? <Text className={notice.ok ? 'news-done' : 'field-error'}>{notice.text}</Text> : null}
        {form === null ? (
          <View className='news-buttons'>
            {buttons.map((b, i) => (
              <Button key={b} className={`btn ${i === 0 ? 'btn--primary' : 'btn--secondary'} news-button`} disabled={busy} onClick={() => press(b)}>
                {MOVE_LABELS[b]}
              </Button>
            ))}
          </View>
        ) : form === 'to_appeal' ? (
          <TipToAppealForm tip={tip} busy={busy} error={formError} onSubmit={(body) => void send({ action: 'to_appeal', body })} onCancel={() => setForm(null)} />
        ) : (
          <TipMoveForm key={form} move={form} tip={tip} busy={busy} error={formError} onSubmit={(m) => void send(m)} onCancel={() => setForm(null)} />
        )}
      </View>

      <TipReplies history={tip.history} />
      <TipFacts tip={tip} />
      <TipHistory history={tip.history} />
    </View>
  );
}
