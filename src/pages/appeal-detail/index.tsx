// One appeal as its reporter (or a follower) sees it: what was reported, where it stands, every
// step, the official answer, the deadlines, and the actions the server allows now (评价, 催办,
// 重新办理, 同问): exactly those in `allowedActions`, nothing guessed on the client.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter, useShareAppMessage } from '@tarojs/taro';
import { appealsApi } from '../../api/endpoints';
import { errorMessage } from '../../api/request';
import type { AllowedAction, AppealDetail, MoveBodies } from '../../api/types';
import { OverdueMark, StateTag } from '../../components/AppealCard';
import { AppealTimeline } from '../../components/AppealTimeline';
import { MapButton } from '../../components/MapButton';
import { ErrorState, LoadingState } from '../../components/StateView';
import { appealDetailUrl, dueLabel, formatTime, kindAndCategory } from '../../utils/appeal';
import { PhotoGrid } from './PhotoGrid';
import { RatePanel } from './RatePanel';
import { ReopenPanel } from './ReopenPanel';
import { SubscribePanel } from './SubscribePanel';
import { showShareMenus } from '../../utils/share';
import './index.scss';
import { usePageClass } from '../../hooks/use-page-class';

/** The moves a resident makes on this page; staff moves are in the workbench. */
const RESIDENT_ACTIONS: readonly AllowedAction[] = ['rate', 'reopen', 'remind', 'follow'];

/** After these nothing more is sent to the reporter: no 订阅进度提醒. */
const ENDED: readonly AppealDetail['state'][] = ['closed', 'rejected', 'merged'];

type Status = 'loading' | 'ready' | 'error';
type Panel = 'none' | 'rate' | 'reopen';

export default function AppealDetailPage() {
  const pageClass = usePageClass('appeal-detail');
  const router = useRouter();
  const id = router.params.id ?? '';
  const [status, setStatus] = useState<Status>('loading');
  const [appeal, setAppeal] = useState<AppealDetail | null>(null);
  const [error, setError] = useState('');
  const [panel, setPanel] = useState<Panel>('none');
  const [busy, setBusy] = useState<AllowedAction | null>(null);
  const [actionMessage, setActionMessage] = useState('');
  const generation = useRef(0);

  const load = useCallback(async () => {
    if (!id) {
      setError('没有找到这条诉求');
      setStatus('error');
      return;
    }
    const gen = ++generation.current;
    // A refresh keeps the shown appeal; only the first load shows the loading view.
    setStatus((s) => (s === 'ready' ? s : 'loading'));
    try {
      const detail = await appealsApi.get(id, { toast: false });
      if (gen !== generation.current) return;
      setAppeal(detail);
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      setError(errorMessage(e));
      setStatus((s) => (s === 'ready' ? s : 'error'));
    }
  }, [id]);

  useDidShow(() => void load());

  // A public appeal (公开诉求) shares as a card naming what, where and how far it got, never its text
  // (the sharer may be its reporter, who sees it unmasked); a private one shares the app, not itself.
  const appealRef = useRef<AppealDetail | null>(null);
  appealRef.current = appeal;
  useDidShow(() => showShareMenus());
  useShareAppMessage(() => {
    const a = appealRef.current;
    if (!a?.isPublic) return { title: '县融：有事找我们，办理进度随时查', path: '/pages/home/index' };
    return { title: `【公开诉求】${a.regionName} · ${kindAndCategory(a)} · ${a.stateLabel}`, path: appealDetailUrl(a.id) };
  });

  /** Runs one action; the server answers with the updated appeal, shown at once. */
  const act = async (action: AllowedAction, run: () => Promise<AppealDetail>, done: string) => {
    if (busy) return;
    setBusy(action);
    setActionMessage('');
    try {
      const updated = await run();
      generation.current++;
      setAppeal(updated);
      setPanel('none');
      void Taro.showToast({ title: done, icon: 'success', duration: 1500 });
    } catch (e) {
      // e.g. 催办 twice in a day: the server's 409/429 says when; shown next to the buttons.
      setActionMessage(errorMessage(e));
      void Taro.showToast({ title: errorMessage(e), icon: 'none', duration: 2500 });
    } finally {
      setBusy(null);
    }
  };

  if (status === 'loading') {
    return (
      <View className={pageClass}>
        <LoadingState />
      </View>
    );
  }
  if (status === 'error' || !appeal) {
    return (
      <View className={pageClass}>
        <ErrorState message={`加载失败：${error}`} onRetry={() => void load()} />
      </View>
    );
  }

  const a = appeal;
  const allowed = a.allowedActions.filter((x) => RESIDENT_ACTIONS.includes(x));
  const rate = (body: MoveBodies['rate']) => void act('rate', () => appealsApi.move(a.id, 'rate', body, { toast: false }), '感谢您的评价');
  const reopen = (reason: string) => void act('reopen', () => appealsApi.move(a.id, 'reopen', { reason }, { toast: false }), '已申请重新办理');
  const remind = () => void act('remind', () => appealsApi.remind(a.id, { toast: false }), '已催办');
  const follow = () => void act('follow', () => appealsApi.follow(a.id, { toast: false }), '已同问');
  const due = a.dueAt ? dueLabel(a.dueAt) : '';

  return (
    <View className={pageClass}>
      <View className='card'>
        <View className='appeal-detail__head'>
          <StateTag state={a.state} label={a.stateLabel} />
          {a.overdue ? <OverdueMark /> : null}
        </View>
        <Text className='appeal-detail__number'>{a.number}</Text>
        <Text className='appeal-detail__line'>{kindAndCategory(a)}</Text>
        <Text className='appeal-detail__line'>{a.place ? `${a.regionName} · ${a.place}` : a.regionName}</Text>
        <MapButton location={a.location} place={a.place} />
        <Text className='appeal-detail__sub'>{`提交于 ${formatTime(a.submittedAt)} · ${a.channelLabel}`}</Text>
        <Text className='appeal-detail__sub'>
          {[a.isPublic ? '公开' : '不公开', a.isAnonymous ? '匿名' : null, a.followersCount > 0 ? `${a.followersCount}人同问` : null].filter(Boolean).join(' · ')}
        </Text>
        {a.departmentName ? <Text className='appeal-detail__sub'>{`承办单位：${a.departmentName}`}</Text> : null}
        {a.duplicateOf ? (
          <Text className='appeal-detail__link' onClick={() => void Taro.redirectTo({ url: appealDetailUrl(a.duplicateOf!.id) })}>
            {`已合并到 ${a.duplicateOf.number}，点击查看`}
          </Text>
        ) : null}
      </View>

      <View className='card'>
        <Text className='card__title'>问题描述</Text>
        <Text className='appeal-detail__text'>{a.description}</Text>
        <PhotoGrid photos={a.photos} />
      </View>

      {a.answer ? (
        <View className='card appeal-detail__answer'>
          <Text className='card__title'>办理答复</Text>
          <Text className='appeal-detail__sub'>{[a.answer.departmentName, formatTime(a.answer.at)].filter(Boolean).join(' · ')}</Text>
          <Text className='appeal-detail__text'>{a.answer.text}</Text>
          <PhotoGrid photos={a.answer.photos} />
        </View>
      ) : null}

      {a.rating ? (
        <View className='card'>
          <Text className='card__title'>我的评价</Text>
          <Text className='appeal-detail__line'>{`${a.rating.resolved ? '已解决' : '未解决'} · ${a.rating.satisfactionLabel}`}</Text>
          {a.rating.comment ? <Text className='appeal-detail__text'>{a.rating.comment}</Text> : null}
          <Text className='appeal-detail__sub'>{formatTime(a.rating.at)}</Text>
        </View>
      ) : null}

      {panel === 'rate' ? <RatePanel busy={busy === 'rate'} onSubmit={rate} onCancel={() => setPanel('none')} /> : null}
      {panel === 'reopen' ? <ReopenPanel busy={busy === 'reopen'} onSubmit={reopen} onCancel={() => setPanel('none')} /> : null}

      {panel === 'none' && allowed.length > 0 ? (
        <View className='card appeal-detail__actions'>
          {allowed.includes('rate') ? (
            <Button className='btn btn--primary' onClick={() => setPanel('rate')}>
              评价
            </Button>
          ) : null}
          {allowed.includes('reopen') ? (
            <Button className='btn btn--secondary' onClick={() => setPanel('reopen')}>
              重新办理
            </Button>
          ) : null}
          {allowed.includes('remind') ? (
            <Button className='btn btn--secondary' disabled={busy === 'remind'} onClick={remind}>
              {busy === 'remind' ? '正在催办…' : '催办'}
            </Button>
          ) : null}
          {allowed.includes('follow') ? (
            <Button className='btn btn--secondary' disabled={busy === 'follow'} onClick={follow}>
              同问
            </Button>
          ) : null}
          {actionMessage ? <Text className='field-error'>{actionMessage}</Text> : null}
        </View>
      ) : null}

      {a.mine && !ENDED.includes(a.state) ? <SubscribePanel /> : null}

      <View className='card'>
        <Text className='card__title'>办理时限</Text>
        {due ? <Text className={`appeal-detail__due${a.overdue ? ' appeal-detail__due--over' : ''}`}>{`当前环节：${due}`}</Text> : null}
        <Text className='appeal-detail__sub'>{`受理期限：${formatTime(a.deadlines.acceptBy)}`}</Text>
        <Text className='appeal-detail__sub'>{`首次联系期限：${formatTime(a.deadlines.firstContactBy)}`}</Text>
        <Text className='appeal-detail__sub'>{`办结期限：${formatTime(a.deadlines.resolveBy)}`}</Text>
      </View>

      <View className='card'>
        <Text className='card__title'>办理过程</Text>
        <AppealTimeline entries={a.timeline} />
      </View>
    </View>
  );
}
