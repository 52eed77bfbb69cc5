// 各单位本月办理情况 on the board: each township's and each handling unit's rates in a month (响应率,
// 解决率, 满意率, 按期办结率) and rank, as the measures rank them (GET /board/rates): this month, or
// one of the twelve closed months before it (the server answers no others). Folded at first; read
// when unfolded and when another month is chosen.
import { useRef, useState } from 'react';
import { Button, Picker, Text, View } from '@tarojs/components';
import { boardApi } from '../../api/endpoints';
import { errorMessage } from '../../api/request';
import type { BoardRates } from '../../api/types';
import { ErrorState, LoadingState } from '../../components/StateView';
import { chinaParts } from '../../../common/china-time';
import './BoardRatesCard.scss';

type Side = 'townships' | 'departments';
const SIDES: { key: Side; label: string }[] = [
  { key: 'townships', label: '乡镇（街道）' },
  { key: 'departments', label: '承办单位' },
];
type Unit = BoardRates['townships']['items'][number];
const RATES: { key: keyof Unit['rates']; label: string }[] = [
  { key: 'satisfaction', label: '满意率' },
  { key: 'resolution', label: '解决率' },
  { key: 'response', label: '响应率' },
  { key: 'onTime', label: '按期办结率' },
];
const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** The closed months the board offers before this one (server/board/routes.ts CLOSED_MONTHS). */
const CLOSED_MONTHS = 12;

/** This month and the twelve closed months before it (China time), newest first, as YYYY-MM. */
export function boardMonths(now: number): string[] {
  const { year, month } = chinaParts(now);
  return Array.from({ length: CLOSED_MONTHS + 1 }, (_, i) => new Date(Date.UTC(year, month - 1 - i, 1)).toISOString().slice(0, 7));
}

/** `2026-11` → `2026年11月`. */
const monthText = (m: string) => `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;

export function BoardRatesCard() {
  const [open, setOpen] = useState(false);
  const [side, setSide] = useState<Side>('townships');
  // The months are fixed when the card first shows (a page left open over a month's end keeps its list).
  const [months] = useState(() => boardMonths(Date.now()));
  const [month, setMonth] = useState(months[0]);
  const chosen = useRef(month);
  const [rates, setRates] = useState<BoardRates | null>(null);
  const [error, setError] = useState('');

  const load = async (m: string) => {
    setError('');
    setRates(null);
    try {
      const r = await boardApi.rates(m === months[0] ? {} : { month: m }, { toast: false });
      // A slower answer for a month no longer chosen is dropped.
      if (chosen.current === m) setRates(r);
    } catch (e) {
      if (chosen.current === m) setError(errorMessage(e));
    }
  };
  const toggle = () => {
    setOpen(!open);
    if (!open && !rates) void load(month);
  };
  const choose = (index: number) => {
    const m = months[index];
    if (!m || m === month) return;
    chosen.current = m;
    setMonth(m);
    void load(m);
  };
  const table = rates?.[side];
  const monthIndex = Math.max(0, months.indexOf(month));

  return (
    <View className='board-rates'>
      <Button className='btn btn--secondary board-rates__toggle' onClick={toggle}>
        {open ? '收起各单位本月办理情况' : '查看各单位本月办理情况'}
      </Button>
      {open ? (
        <View className='card'>
          <View className='board-rates__sides'>
            {SIDES.map((s) => (
              <Text key={s.key} className={`board-rates__side${side === s.key ? ' board-rates__side--on' : ''}`} onClick={() => setSide(s.key)}>
                {s.label}
              </Text>
            ))}
          </View>
          <Picker mode='selector' range={months.map((m, i) => (i === 0 ? `${monthText(m)}（本月）` : monthText(m)))} value={monthIndex} onChange={(e) => choose(Number(e.detail.value))}>
            <View className='board-filters__pick'>
              <Text>{`月份：${monthText(month)}`}</Text>
              <Text className='board-filters__arrow'>▾</Text>
            </View>
          </Picker>
          {error ? <ErrorState message={`加载失败：${error}`} onRetry={() => void load(month)} /> : null}
          {!error && !table ? <LoadingState /> : null}
          {table ? (
            <>
              <Text className='board-rates__month'>{`${monthText(table.month)}${table.final ? '' : '（本月进行中）'}`}</Text>
              {table.items.map((u) => (
                <View key={u.id} className='board-rates__unit'>
                  <Text className='board-rates__name'>{`${u.rank === null ? '—' : `第${u.rank}名`} · ${u.name}（受理${u.received}件）`}</Text>
                  <View className='board-rates__figures'>
                    {RATES.map((r) => (
                      <Text key={r.key} className='board-rates__figure'>{`${r.label} ${percent(u.rates[r.key].value)}`}</Text>
                    ))}
                  </View>
                </View>
              ))}
            </>
          ) : null}
        </View>
      ) : null}
    </View>
  );
}
