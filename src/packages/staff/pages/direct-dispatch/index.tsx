// 智能分派设置 (admins edit, dispatchers read): direct dispatch by suggestion. A group-chat appeal or
// a grid worker's forward whose suggested category is at least as sure as the threshold goes to the
// catalogue's unit at once (直派复核 as for every direct dispatch); below it, it waits for a
// dispatcher with the suggestion shown. Beside the threshold: how often the suggestion was right
// at it on the county's own recent confirmed appeals (准确率), how many would go directly (覆盖),
// and from how many (样本), then the same for each threshold. Saved with the version shown: when
// another admin saved first, the server answers 409 and the page reloads their values.
import { useCallback, useState } from 'react';
import { Button, Picker, Switch, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { directDispatchApi, type DirectDispatch, type PrecisionRow } from '../../../../api/direct-dispatch';
import { errorMessage } from '../../../../api/request';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { controlLabel } from '../../../../utils/a11y';
import { isStale } from '../../components/NewsHooks';
import { isAdmin, isDispatcher, shortTime } from '../../shared';
import './index.scss';

const STALE_MESSAGE = '设置刚被其他管理员修改，已重新加载，请确认后再保存';
const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);
const fixed = (t: number) => t.toFixed(2);

/** The measured row at a threshold: the table's, or the one the server answered for the saved threshold. */
function rowAt(d: DirectDispatch, threshold: number): PrecisionRow | null {
  return d.measured.table.find((r) => r.threshold === threshold) ?? (d.threshold === threshold ? d.measured.atThreshold : null);
}

/** The measure at a threshold, in a sentence. */
function measureText(d: DirectDispatch, row: PrecisionRow): string {
  if (row.count === 0) return `阈值 ${fixed(row.threshold)}：样本 ${d.measured.sample} 件中没有一件达到，开启后几乎不会直派`;
  const right = Math.round((row.precision ?? 0) * row.count);
  return `阈值 ${fixed(row.threshold)}：准确率 ${percent(row.precision)}（达到的 ${row.count} 件中 ${right} 件分类正确），覆盖 ${percent(row.coverage)}（样本 ${d.measured.sample} 件中将直派的比例）`;
}

export default function DirectDispatchPage() {
  const pageClass = usePageClass('direct-dispatch');
  const user = useCurrentUser();
  const allowed = !user || isAdmin(user) || isDispatcher(user);
  const canEdit = !!user && isAdmin(user);
  const [data, setData] = useState<DirectDispatch | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [threshold, setThreshold] = useState(0.85);
  const [message, setMessage] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const show = (d: DirectDispatch) => {
    setData(d);
    setEnabled(d.enabled);
    setThreshold(d.threshold);
  };

  const load = useCallback(async () => {
    try {
      show(await directDispatchApi.get({ toast: false }));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useDidShow(() => {
    if (allowed) void load();
  });

  const save = async () => {
    if (!data || busy) return;
    setBusy(true);
    setMessage(null);
    try {
      show(await directDispatchApi.save({ version: data.version, enabled, threshold }, { toast: false }));
      setMessage({ text: enabled ? `已保存：置信度达到 ${fixed(threshold)} 的诉求将直派` : '已保存：智能直派已关闭', ok: true });
    } catch (e) {
      if (isStale(e)) {
        await load();
        setMessage({ text: STALE_MESSAGE, ok: false });
      } else setMessage({ text: errorMessage(e), ok: false });
    } finally {
      setBusy(false);
    }
  };

  if (!allowed) {
    return (
      <View className={pageClass}>
        <ErrorState message='只有管理员和调度员可以查看智能分派设置' />
      </View>
    );
  }
  if (error) {
    return (
      <View className={pageClass}>
        <ErrorState message={`加载失败：${error}`} onRetry={() => void load()} />
      </View>
    );
  }
  if (!data) {
    return (
      <View className={pageClass}>
        <LoadingState />
      </View>
    );
  }

  const options = [...new Set([...data.measured.table.map((r) => r.threshold), data.threshold])].sort((a, b) => a - b);
  const row = rowAt(data, threshold);
  const m = data.measured;
  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>智能直派</Text>
        <Text className='news-hint'>
          开启后，群聊报事和网格员转发的诉求，智能分类的置信度达到阈值的，按该分类直接派给派单目录中的承办单位，记入办理过程，由调度员在“直派复核”中复核；未达到的仍进入待派单，并显示建议分类。
        </Text>
        {canEdit ? (
          <>
            <View className='direct-dispatch__row'>
              <Text className='news-label'>开启智能直派</Text>
              <Switch checked={enabled} color='#1565c0' nativeProps={controlLabel('开启智能直派')} onChange={(e) => setEnabled(e.detail.value)} />
            </View>
            <Text className='news-label'>置信度阈值</Text>
            <Picker mode='selector' range={options.map(fixed)} value={Math.max(0, options.indexOf(threshold))} onChange={(e) => setThreshold(options[Number(e.detail.value)])}>
              <View className='news-picker'>{`${fixed(threshold)}（点此修改，默认 ${fixed(data.defaultThreshold)}）`}</View>
            </Picker>
          </>
        ) : (
          <Text className='news-label'>{data.enabled ? `已开启，阈值 ${fixed(data.threshold)}` : `未开启（阈值 ${fixed(data.threshold)}）`}</Text>
        )}
        {m.sample === 0 ? (
          <EmptyState text='还没有可测算的诉求：调度员确认过分类的诉求积累后，这里会显示各阈值下的准确率' />
        ) : row ? (
          <Text className='direct-dispatch__measure'>{measureText(data, row)}</Text>
        ) : null}
        {message ? <Text className={message.ok ? 'news-done' : 'field-error'}>{message.text}</Text> : null}
        {canEdit ? (
          <Button className='btn btn--primary' disabled={busy} onClick={() => void save()}>
            {busy ? '保存中…' : '保存设置'}
          </Button>
        ) : (
          <Text className='news-hint'>只有管理员可以修改。</Text>
        )}
      </View>

      {m.sample > 0 ? (
        <View className='card'>
          <Text className='card__title'>各阈值下的准确率</Text>
          <Text className='news-hint'>{`样本：近 ${m.windowDays} 天最近确认分类的 ${m.sample} 件诉求（至多 ${m.maxSample} 件），每件都在不含它自己的情况下重新判断；不设阈值时整体准确率 ${percent(m.accuracy)}。测算于 ${shortTime(m.measuredAt)}。`}</Text>
          <View className='direct-dispatch__table-row'>
            <Text className='direct-dispatch__cell'>阈值</Text>
            <Text className='direct-dispatch__cell'>准确率</Text>
            <Text className='direct-dispatch__cell'>覆盖</Text>
            <Text className='direct-dispatch__cell'>件数</Text>
          </View>
          {m.table.map((r) => (
            <View className={`direct-dispatch__table-row${r.threshold === threshold ? ' direct-dispatch__table-row--on' : ''}`} key={r.threshold}>
              <Text className='direct-dispatch__cell'>{fixed(r.threshold)}</Text>
              <Text className='direct-dispatch__cell'>{percent(r.precision)}</Text>
              <Text className='direct-dispatch__cell'>{percent(r.coverage)}</Text>
              <Text className='direct-dispatch__cell'>{String(r.count)}</Text>
            </View>
          ))}
        </View>
      ) : null}
    </View>
  );
}
