// 各单位本月办理情况 on the board: each township's and each handling unit's rates this month (响应率,
// 解决率, 满意率, 按期办结率) and rank, as the measures rank them (GET /board/rates). Folded at first;
// read when unfolded.
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import { boardApi } from '../../api/endpoints';
import { errorMessage } from '../../api/request';
import type { BoardRates } from '../../api/types';
import { ErrorState, LoadingState } from '../../components/StateView';
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

export function BoardRatesCard() {
  const [open, setOpen] = useState(false);
  const [side, setSide] = useState<Side>('townships');
  const [rates, setRates] = useState<BoardRates | null>(null);
  const [error, setError] = useState('');

  const load = async () => {
    setError('');
    try {
      setRates(await boardApi.rates({}, { toast: false }));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const toggle = () => {
    setOpen(!open);
    if (!open && !rates) void load();
  };
  const table = rates?.[side];

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
          {error ? <ErrorState message={`加载失败：${error}`} onRetry={() => void load()} /> : null}
          {!error && !table ? <LoadingState /> : null}
          {table ? (
            <>
              <Text className='board-rates__month'>{`${table.month.replace('-', '年')}月${table.final ? '' : '（本月进行中）'}`}</Text>
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
