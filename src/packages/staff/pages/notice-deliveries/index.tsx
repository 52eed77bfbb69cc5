// 发送情况 (?id=): a published notice's delivery to each bound group chat (topic, community,
// 待发送/发送中/已发送/发送失败, attempts, last error) with the totals. 刷新, and a refresh every
// 5 seconds while any delivery is still pending or sending, stopped while the page is hidden.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro';
import { noticesApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { NoticeDelivery, NoticeDeliveryList, NoticeManageItem } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { usePageClass } from '../../../../hooks/use-page-class';
import { DELIVERY_STATE_LABELS } from '../../../../../common/news-labels';
import { beijingLabel } from '../../components/NewsAccess';
import { useEditorSend } from '../../components/NewsHooks';
import { deliveryTotals } from '../../components/NoticeManageRow';
import { staffPage } from '../../shared';
import './index.scss';

export const AUTO_REFRESH_MS = 5000;
const SUMMARY_STATES = ['pending', 'sending', 'sent', 'failed'] as const;

const unfinished = (list: NoticeDeliveryList) => list.items.some((d) => d.state === 'pending' || d.state === 'sending');

function DeliveryRow({ d }: { d: NoticeDelivery }) {
  return (
    <View className='news-item'>
      <Text className='news-item__title'>{d.roomTopic}</Text>
      <View className='news-item__meta'>
        <Text className={`news-state news-state--${d.state}`}>{d.stateLabel || DELIVERY_STATE_LABELS[d.state]}</Text>
        <Text>{d.regionName}</Text>
      </View>
      <Text className='news-item__meta'>
        {`尝试 ${d.attempts} 次`}
        {d.sentAt ? ` · 发送于 ${beijingLabel(d.sentAt)}` : ''}
      </Text>
      {d.lastError ? <Text className='news-item__warn'>最近错误：{d.lastError}</Text> : null}
    </View>
  );
}

type Status = 'loading' | 'ready' | 'error';

export default function NoticeDeliveriesPage() {
  const pageClass = usePageClass('notice-deliveries');
  const id = useRouter().params.id ?? '';
  const [notice, setNotice] = useState<NoticeManageItem | null>(null);
  const [list, setList] = useState<NoticeDeliveryList | null>(null);
  const [status, setStatus] = useState<Status>('loading');
  const [error, setError] = useState('');
  const [refreshing, setRefreshing] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const visible = useRef(true);
  const generation = useRef(0);

  const stopTimer = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };

  const load = useCallback(async () => {
    if (!id) {
      setError('缺少通知编号');
      setStatus('error');
      return;
    }
    stopTimer();
    const gen = ++generation.current;
    setRefreshing(true);
    try {
      const [n, l] = await Promise.all([noticesApi.getManaged(id, { toast: false }), noticesApi.deliveries(id, { toast: false })]);
      if (gen !== generation.current) return;
      setNotice(n);
      setList(l);
      setStatus('ready');
      setError('');
      // While the bot still works through the chats, look again shortly (only while shown).
      if (unfinished(l) && visible.current) timer.current = setTimeout(() => void load(), AUTO_REFRESH_MS);
    } catch (e) {
      if (gen !== generation.current) return;
      setError(errorMessage(e));
      setStatus((s) => (s === 'ready' ? s : 'error'));
    } finally {
      if (gen === generation.current) setRefreshing(false);
    }
  }, [id]);

  useDidShow(() => {
    visible.current = true;
    void load();
  });
  useDidHide(() => {
    visible.current = false;
    generation.current++;
    stopTimer();
  });
  // Leaving the page (navigateBack unloads it) ends the refreshing too.
  useEffect(
    () => () => {
      visible.current = false;
      stopTimer();
    },
    [],
  );
  // 撤回: the notice leaves the readers' list and deliveries no bot has taken yet are cancelled.
  const [withdrawing, setWithdrawing] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState('');
  const sender = useEditorSend(() => {
    setWithdrawing(false);
    void load();
  });
  const withdraw = () => {
    if (reason.trim().length < 2) {
      setReasonError('请填写撤回原因（至少2个字）');
      return;
    }
    setReasonError('');
    void sender.run(async () => {
      setNotice(await noticesApi.withdraw(id, { reason: reason.trim() }));
      setWithdrawing(false);
      void load();
      return '已撤回';
    });
  };

  usePullDownRefresh(() => {
    void load().finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });

  if (status === 'loading') return <View className={pageClass}><LoadingState /></View>;
  if (status === 'error' || !list) {
    return (
      <View className={pageClass}>
        <ErrorState message={`加载失败：${error}`} onRetry={() => void load()} />
      </View>
    );
  }

  const { sent, total } = deliveryTotals(list.counts);
  const live = unfinished(list);

  return (
    <View className={pageClass}>
      <View className='card'>
        {notice ? (
          <>
            <Text className='news-item__title'>{notice.title}</Text>
            <View className='news-item__meta'>
              <Text className={`news-state news-state--${notice.level}`}>{notice.levelLabel}</Text>
              <Text className={`news-state news-state--${notice.state}`}>{notice.stateLabel}</Text>
              <Text>{notice.regionNames.join('、') || '全县'}</Text>
            </View>
          </>
        ) : null}
        <Text className='news-label'>{`已发送 ${sent} / 共 ${total}`}</Text>
        <View className='news-item__meta'>
          {SUMMARY_STATES.map((s) => (
            <Text key={s} className={`news-state news-state--${s}`}>{`${DELIVERY_STATE_LABELS[s]} ${list.counts[s] ?? 0}`}</Text>
          ))}
        </View>
        {live ? <Text className='news-hint'>群聊机器人正在逐个发送，每5秒自动刷新</Text> : null}
        {error ? <Text className='news-item__warn'>刷新失败：{error}</Text> : null}
        <Button className='btn btn--secondary' disabled={refreshing} onClick={() => void load()}>
          {refreshing ? '刷新中…' : '刷新'}
        </Button>
      </View>

      {list.items.length === 0 ? (
        <EmptyState text={notice?.state === 'draft' ? '通知尚未发布' : '范围内没有绑定的群聊'} />
      ) : (
        <View className='card'>
          {list.items.map((d) => (
            <DeliveryRow key={d.roomId} d={d} />
          ))}
        </View>
      )}
      {notice?.state === 'published' ? (
        <View className='card'>
          {withdrawing ? (
            <>
              <Text className='news-label'>撤回原因</Text>
              <Textarea className='news-textarea' value={reason} maxlength={200} placeholder='必填，2到200个字' onInput={(e) => setReason(e.detail.value)} />
              <Text className='news-hint'>撤回后读者不再看到这条通知，尚未发出的群消息不再发送；已发出的消息无法收回。</Text>
              {reasonError ? <Text className='field-error'>{reasonError}</Text> : null}
              {sender.message && !sender.message.ok ? <Text className='field-error'>{sender.message.text}</Text> : null}
              <View className='news-buttons'>
                <Button className='btn btn--secondary news-button' disabled={sender.busy} onClick={() => setWithdrawing(false)}>
                  取消
                </Button>
                <Button className='btn btn--primary news-button' disabled={sender.busy} onClick={withdraw}>
                  确定撤回
                </Button>
              </View>
            </>
          ) : (
            <Button className='btn btn--secondary' onClick={() => setWithdrawing(true)}>
              撤回通知
            </Button>
          )}
        </View>
      ) : null}
      {notice?.state === 'draft' ? (
        <Button className='btn btn--primary' onClick={() => void Taro.redirectTo({ url: staffPage('notice-edit', { id: notice.id }) })}>
          编辑通知
        </Button>
      ) : null}
    </View>
  );
}
