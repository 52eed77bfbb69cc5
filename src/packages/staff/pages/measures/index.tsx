// 数据统计 (staff): the four rates of a period (本月 / 上月 / 近12周) beside the period before, each
// rate's formula on tap, the weekly trend of the last 12 weeks, the period per category, the monthly
// rankings of townships, communities and departments, and the way to the overdue list and the county
// dashboard. The server scopes every figure to the caller (server/measures/routes.ts).
import { useCallback, useRef, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { measuresApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { Groups, Measures, Rankings, RateName, Series } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import Chart from '../../components/Chart';
import { RankingTable } from '../../components/RankingTable';
import { MonthlyReportButton } from '../../components/MonthlyReportButton';
import {
  PERIOD_LABELS,
  RANKING_FORMULA,
  RATE_FORMULAS,
  RATE_LABELS,
  RATE_NAMES,
  monthLabel,
  periodOf,
  rateChange,
  rateText,
  receivedBars,
  trendSeries,
  twelveWeeks,
  type PeriodKey,
} from '../../components/measures';
import { chinaIsoDate } from '../../../../../common/china-time';
import { staffPage, worksOnAppeals } from '../../shared';
import './index.scss';

type RankBy = Rankings['by'];
const RANK_TABS: { by: RankBy; label: string }[] = [
  { by: 'township', label: '乡镇' },
  { by: 'community', label: '社区/村' },
  { by: 'department', label: '部门' },
];

interface Figures {
  current: Measures;
  previous: Measures;
  byCategory: Groups;
  trend: Series;
}
type Loaded<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'error'; error: string };

const nothingIn = (m: Measures) => m.counts.received === 0 && RATE_NAMES.every((r) => m.rates[r].denominator === 0);

function RateTile({ name, now, before, open, onTap }: { name: RateName; now: Measures; before: Measures; open: boolean; onTap: () => void }) {
  const change = rateChange(now.rates[name], before.rates[name]);
  const rate = now.rates[name];
  return (
    <View className={`measures__rate${open ? ' measures__rate--open' : ''}`} onClick={onTap}>
      <Text className='measures__rate-label'>{RATE_LABELS[name]}</Text>
      <Text className='measures__rate-value'>{rateText(rate)}</Text>
      <Text className={`measures__change measures__change--${change.dir}`}>{change.text}</Text>
      <Text className='measures__rate-prev'>{`上期 ${rateText(before.rates[name])}`}</Text>
    </View>
  );
}

export default function MeasuresPage() {
  const pageClass = usePageClass('measures');
  const user = useCurrentUser();
  const [periodKey, setPeriodKey] = useState<PeriodKey>('thisMonth');
  const [figures, setFigures] = useState<Loaded<Figures>>({ status: 'loading' });
  const [rankBy, setRankBy] = useState<RankBy>('township');
  const [ranking, setRanking] = useState<Loaded<Rankings>>({ status: 'loading' });
  const [formulaOf, setFormulaOf] = useState<RateName | null>(null);
  const generation = useRef(0);
  const rankGeneration = useRef(0);
  const periodRef = useRef<PeriodKey>('thisMonth');
  const rankByRef = useRef<RankBy>('township');

  const loadRanking = useCallback(async (month: string, by: RankBy) => {
    const gen = ++rankGeneration.current;
    setRanking({ status: 'loading' });
    try {
      const data = await measuresApi.rankings({ month, by }, { toast: false });
      if (gen === rankGeneration.current) setRanking({ status: 'ready', data });
    } catch (e) {
      if (gen === rankGeneration.current) setRanking({ status: 'error', error: errorMessage(e) });
    }
  }, []);

  const load = useCallback(
    async (key: PeriodKey) => {
      const gen = ++generation.current;
      periodRef.current = key;
      const now = Date.now();
      const p = periodOf(key, now);
      const weeks = twelveWeeks(chinaIsoDate(now));
      setFigures({ status: 'loading' });
      void loadRanking(p.month, rankByRef.current);
      try {
        const [current, previous, byCategory, trend] = await Promise.all([
          measuresApi.figures(p.current, { toast: false }),
          measuresApi.figures(p.previous, { toast: false }),
          measuresApi.groups({ ...p.current, by: 'category' }, { toast: false }),
          measuresApi.series({ ...weeks, step: 'week' }, { toast: false }),
        ]);
        if (gen === generation.current) setFigures({ status: 'ready', data: { current, previous, byCategory, trend } });
      } catch (e) {
        if (gen === generation.current) setFigures({ status: 'error', error: errorMessage(e) });
      }
    },
    [loadRanking],
  );

  const allowed = !user || worksOnAppeals(user);
  useDidShow(() => {
    if (allowed) void load(periodRef.current);
  });
  usePullDownRefresh(() => {
    void load(periodRef.current).finally(() => Taro.stopPullDownRefresh());
  });

  if (!allowed) {
    return (
      <View className={pageClass}>
        <ErrorState message='只有办理诉求的工作人员可以查看数据统计' />
      </View>
    );
  }

  const period = periodOf(periodKey, Date.now());
  const choosePeriod = (key: PeriodKey) => {
    if (key === periodKey) return;
    setPeriodKey(key);
    setFormulaOf(null);
    void load(key);
  };
  const chooseRankBy = (by: RankBy) => {
    if (by === rankBy) return;
    setRankBy(by);
    rankByRef.current = by;
    void loadRanking(period.month, by);
  };
  const go = (page: string, query?: Record<string, string>) => void Taro.navigateTo({ url: staffPage(page, query) });

  return (
    <View className={pageClass}>
      <View className='card'>
        <View className='measures__tabs' role='tablist'>
          {(Object.keys(PERIOD_LABELS) as PeriodKey[]).map((k) => (
            <View key={k} className={`measures__tab${k === periodKey ? ' measures__tab--on' : ''}`} role='tab' aria-selected={k === periodKey} onClick={() => choosePeriod(k)}>
              {PERIOD_LABELS[k]}
            </View>
          ))}
        </View>
        <Text className='measures__period'>{`统计周期：${period.label}`}</Text>
      </View>

      {figures.status === 'loading' ? <LoadingState /> : null}
      {figures.status === 'error' ? <ErrorState message={`加载失败：${figures.error}`} onRetry={() => void load(periodKey)} /> : null}
      {figures.status === 'ready' ? (
        <>
          <View className='card'>
            <Text className='card__title'>三率与按期办结率</Text>
            {nothingIn(figures.data.current) ? (
              <EmptyState text='本期暂无诉求数据' />
            ) : (
              <>
                <View className='measures__rates'>
                  {RATE_NAMES.map((r) => (
                    <RateTile key={r} name={r} now={figures.data.current} before={figures.data.previous} open={formulaOf === r} onTap={() => setFormulaOf((f) => (f === r ? null : r))} />
                  ))}
                </View>
                {formulaOf ? (
                  <View className='measures__formula'>
                    <Text className='measures__formula-text'>{RATE_FORMULAS[formulaOf]}</Text>
                    <Text className='measures__formula-figures'>
                      {`本期：${figures.data.current.rates[formulaOf].numerator} ÷ ${figures.data.current.rates[formulaOf].denominator}；上期：${figures.data.previous.rates[formulaOf].numerator} ÷ ${figures.data.previous.rates[formulaOf].denominator}`}
                    </Text>
                  </View>
                ) : (
                  <Text className='measures__hint'>点击一项查看计算方法</Text>
                )}
              </>
            )}
            <View className='measures__counts'>
              <Text className='measures__count'>{`收到 ${figures.data.current.counts.received} 件`}</Text>
              <Text className='measures__count'>{`答复 ${figures.data.current.counts.replied} 件`}</Text>
              <Text className='measures__count'>{`办结 ${figures.data.current.counts.closed} 件`}</Text>
            </View>
            <View className='list-row measures__overdue' onClick={() => go('appeal-inbox', { view: 'overdue' })}>
              <View className='list-row__main'>
                <Text className='measures__entry'>超期督办</Text>
                <Text className='list-row__sub'>
                  {`本期督办 ${figures.data.current.counts.overdue.accept + figures.data.current.counts.overdue.firstContact + figures.data.current.counts.overdue.resolve} 次，查看超期诉求`}
                </Text>
              </View>
              <Text className='list-row__arrow'>›</Text>
            </View>
          </View>

          <View className='card'>
            <Chart id='measures-trend' kind='line' title='近12周趋势' categoryLabel='周（起始日）' {...trendSeries(figures.data.trend)} />
          </View>
          <View className='card'>
            <Chart id='measures-category' kind='bar' title='本期各类别诉求' categoryLabel='类别' {...receivedBars(figures.data.byCategory.items)} />
          </View>
        </>
      ) : null}

      <View className='card'>
        <Text className='card__title'>{`${monthLabel(period.month)}排名`}</Text>
        <View className='measures__tabs' role='tablist'>
          {RANK_TABS.map((t) => (
            <View key={t.by} className={`measures__tab${t.by === rankBy ? ' measures__tab--on' : ''}`} role='tab' aria-selected={t.by === rankBy} onClick={() => chooseRankBy(t.by)}>
              {t.label}
            </View>
          ))}
        </View>
        {ranking.status === 'loading' ? <LoadingState /> : null}
        {ranking.status === 'error' ? <ErrorState message={`加载失败：${ranking.error}`} onRetry={() => void loadRanking(period.month, rankBy)} /> : null}
        {ranking.status === 'ready' ? (
          ranking.data.items.length === 0 ? (
            <EmptyState text='本月暂无排名' />
          ) : (
            <>
              <RankingTable items={ranking.data.items} nameLabel={RANK_TABS.find((t) => t.by === ranking.data.by)?.label ?? '名称'} />
              <Text className='measures__hint'>{ranking.data.final ? '本月已结束，排名为最终结果。' : '本月尚未结束，排名随办理情况变化。'}</Text>
            </>
          )
        ) : null}
        <Text className='measures__formula-text'>{RANKING_FORMULA}</Text>
      </View>

      <View className='card measures__more'>
        <Text className='card__title'>月报与大屏</Text>
        <MonthlyReportButton month={period.month} className='btn btn--secondary measures__report' />
        <View className='list-row' onClick={() => go('dashboard')}>
          <View className='list-row__main'>
            <Text className='measures__entry'>全县数据大屏</Text>
            <Text className='list-row__sub'>今日诉求、本月三率、乡镇排名，每分钟自动更新</Text>
          </View>
          <Text className='list-row__arrow'>›</Text>
        </View>
      </View>
    </View>
  );
}
