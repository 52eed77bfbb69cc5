// 数据大屏 (the media centre's big screen, in the H5 build; staff may open it on a phone too): today's
// appeals, this month's four rates beside last month's, the townships' ranking, and this month per
// category and per township. It reads GET /measures/dashboard again every minute while it is shown
// (not while the page is hidden or the browser tab is in the background), keeping the figures on
// screen while the next ones load, so nothing flickers. Opened with `?key=<screen key>` (an admin
// issues one per display: 大屏链接), it reads the county's figures with that key and needs no sign-in.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow } from '@tarojs/taro';
import { measuresApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { Dashboard } from '../../../../api/types';
import { ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import Chart from '../../components/Chart';
import { RankingTable } from '../../components/RankingTable';
import { RATE_LABELS, RATE_NAMES, monthLabel, rateChange, rateText, receivedBars } from '../../components/measures';
import { chinaClock, parseInstant } from '../../../../../common/china-time';
import { worksOnAppeals } from '../../shared';
import './index.scss';

/** How often the screen reads the figures again. */
export const REFRESH_MS = 60_000;

type Loaded = { status: 'loading' } | { status: 'ready'; data: Dashboard; stale: string } | { status: 'error'; error: string };

const hidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden';

export default function DashboardPage() {
  const pageClass = usePageClass('dashboard');
  const user = useCurrentUser();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);
  const inFlight = useRef(false);
  // A display's key from its address; read once (the page's address does not change while shown).
  const [screenKey] = useState(() => Taro.getCurrentInstance()?.router?.params?.key ?? '');
  const allowed = Boolean(screenKey) || !user || worksOnAppeals(user);

  const load = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      const data = screenKey ? await measuresApi.screen(screenKey, { toast: false }) : await measuresApi.dashboard({ toast: false });
      setLoaded({ status: 'ready', data, stale: '' });
    } catch (e) {
      const error = errorMessage(e);
      // A failed refresh keeps the figures on screen and says so; the next minute tries again.
      setLoaded((before) => (before.status === 'ready' ? { ...before, stale: error } : { status: 'error', error }));
    } finally {
      inFlight.current = false;
    }
  }, [screenKey]);

  const stop = useCallback(() => {
    if (timer.current !== null) clearInterval(timer.current);
    timer.current = null;
  }, []);
  const start = useCallback(() => {
    stop();
    if (!allowed || hidden()) return;
    void load();
    timer.current = setInterval(() => void load(), REFRESH_MS);
  }, [allowed, load, stop]);

  useDidShow(start);
  useDidHide(stop);
  useEffect(() => {
    // The browser tab in the background (another window on the big screen): no requests until it is back.
    const onVisibility = () => (hidden() ? stop() : start());
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility);
    return () => {
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility);
      stop();
    };
  }, [start, stop]);

  if (!allowed) {
    return (
      <View className={pageClass}>
        <ErrorState message='只有办理诉求的工作人员可以查看数据大屏' />
      </View>
    );
  }
  if (loaded.status !== 'ready') {
    return (
      <View className={pageClass}>
        {loaded.status === 'loading' ? <LoadingState /> : <ErrorState message={`加载失败：${loaded.error}`} onRetry={() => void load()} />}
      </View>
    );
  }

  const d = loaded.data;
  const at = parseInstant(d.at);
  const today = [
    { label: '今日新增诉求', value: d.today.received },
    { label: '今日受理', value: d.today.accepted },
    { label: '今日答复', value: d.today.replied },
    { label: '今日办结', value: d.today.closed },
    { label: '今日督办', value: d.today.overdue },
  ];
  return (
    <View className={pageClass}>
      <View className='dashboard__head'>
        <Text className='dashboard__title'>诉求办理数据大屏</Text>
        <Text className='dashboard__updated'>{`更新于 ${at === null ? '—' : chinaClock(at)}`}</Text>
        {loaded.stale ? <Text className='dashboard__stale'>{`更新失败（${loaded.stale}），一分钟后重试`}</Text> : null}
      </View>

      <View className='dashboard__today'>
        {today.map((t) => (
          <View className='dashboard__tile' key={t.label}>
            <Text className='dashboard__big'>{String(t.value)}</Text>
            <Text className='dashboard__label'>{t.label}</Text>
          </View>
        ))}
      </View>

      <View className='dashboard__middle'>
        <View className='dashboard__panel dashboard__month'>
          <Text className='dashboard__panel-title'>{`${monthLabel(d.month.month)}三率（与${monthLabel(d.previousMonth.month)}相比）`}</Text>
          <View className='dashboard__rates'>
            {RATE_NAMES.map((r) => {
              const change = rateChange(d.month.rates[r], d.previousMonth.rates[r]);
              return (
                <View className='dashboard__rate' key={r}>
                  <Text className='dashboard__label'>{RATE_LABELS[r]}</Text>
                  <Text className='dashboard__big'>{rateText(d.month.rates[r])}</Text>
                  <Text className={`dashboard__change dashboard__change--${change.dir}`}>{change.text}</Text>
                  <Text className='dashboard__prev'>{`上月 ${rateText(d.previousMonth.rates[r])}`}</Text>
                </View>
              );
            })}
          </View>
          <Text className='dashboard__label'>{`本月收到诉求 ${d.month.counts.received} 件，答复 ${d.month.counts.replied} 件，办结 ${d.month.counts.closed} 件`}</Text>
        </View>
        <View className='dashboard__panel dashboard__ranking'>
          <Text className='dashboard__panel-title'>乡镇排名</Text>
          {d.ranking.length === 0 ? <Text className='dashboard__label'>本月暂无排名</Text> : <RankingTable items={d.ranking} nameLabel='乡镇' theme='dark' />}
        </View>
      </View>

      <View className='dashboard__columns'>
        <View className='dashboard__panel dashboard__column'>
          <Chart id='dashboard-township' kind='bar' theme='dark' large title='本月各乡镇诉求' categoryLabel='乡镇' {...receivedBars(d.byTownship)} />
        </View>
        <View className='dashboard__panel dashboard__column'>
          <Chart id='dashboard-category' kind='bar' theme='dark' large title='本月各类别诉求' categoryLabel='类别' {...receivedBars(d.byCategory, 6)} />
        </View>
      </View>
    </View>
  );
}
