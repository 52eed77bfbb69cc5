// 高频诉求 (?id=): one group of similar appeals as the server grouped it: where, what, how many,
// each appeal one tap from its page, and a dispatcher's two decisions on it. 合并为一件: pick the
// appeal the others merge into (the earliest by default), confirm, and every other open appeal of the
// group is merged into it in one call; what happened to each is listed (an appeal that could not be
// merged says why). 忽略: not a real cluster, with a reason. Both carry the version the page shows:
// when the group changed meanwhile the server answers 409 and the page reloads it and says so.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { hotspotsApi, type HotspotDetail, type MergeOutcome } from '../../../../api/hotspots';
import { errorMessage } from '../../../../api/request';
import { AppealCard } from '../../../../components/AppealCard';
import { EmptyState, PendingPage } from '../../../../components/StateView';
import { useLoadedItem } from '../../../../hooks/use-cursor-list';
import { usePageClass } from '../../../../hooks/use-page-class';
import { useReadAgain } from '../../../../pages/tip-detail/tip-view';
import { isConflict } from '../../components/NewsAccess';
import { isStale } from '../../components/NewsHooks';
import { shortTime, staffPage } from '../../shared';
import { controlLabel } from '../../../../utils/a11y';
import './index.scss';

export const HOTSPOT_STALE_MESSAGE = '这组诉求刚有变化（新的诉求加入或已被处理），已重新加载，请确认后再操作';
const OUTCOME_LABELS: Record<MergeOutcome['result'], string> = { merged: '已合并', already: '此前已合并', failed: '未合并' };
/** Appeals that can still be merged, or be the one merged into. */
const MERGEABLE = ['submitted', 'accepted'];
const FINAL = ['merged', 'rejected'];

/** The default target: the earliest appeal that is neither merged nor rejected. */
export const defaultTarget = (h: Pick<HotspotDetail, 'appeals'>) => h.appeals.find((a) => !FINAL.includes(a.appeal.state))?.appeal.id ?? null;

export default function HotspotPage() {
  const pageClass = usePageClass('hotspot');
  const id = useRouter().params.id ?? '';
  const read = useCallback(() => hotspotsApi.get(id, { toast: false }), [id]);
  const loaded = useLoadedItem<HotspotDetail>(id ? read : null, '缺少高频诉求编号');
  const h = loaded.item;
  const [form, setForm] = useState<'merge' | 'dismiss' | null>(null);
  const [target, setTarget] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | null>(null);
  const [outcomes, setOutcomes] = useState<MergeOutcome[] | null>(null);
  const [busy, setBusy] = useState(false);
  const running = useRef(false);
  useReadAgain(loaded.reload);

  /** One decision at a time; a 409 reloads the group and says why. */
  const decide = async (run: (h: HotspotDetail) => Promise<HotspotDetail>, done: string) => {
    if (running.current || !h) return;
    running.current = true;
    setBusy(true);
    setNotice(null);
    try {
      const next = await run(h);
      loaded.update(() => next);
      setForm(null);
      setNotice({ text: done, ok: true });
      void Taro.showToast({ title: done, icon: 'success' });
    } catch (e) {
      const message = isStale(e) ? HOTSPOT_STALE_MESSAGE : errorMessage(e);
      setNotice({ text: message, ok: false });
      void Taro.showToast({ title: message, icon: 'none', duration: 3000 });
      if (isConflict(e)) {
        setForm(null);
        await loaded.reload();
      }
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  if (loaded.status !== 'ready' || !h) return <PendingPage className={pageClass} status={loaded.status} error={loaded.error} onRetry={() => void loaded.reload()} />;

  const chosen = target ?? defaultTarget(h);
  const chosenAppeal = h.appeals.find((a) => a.appeal.id === chosen)?.appeal;
  const others = h.appeals.filter((a) => a.appeal.id !== chosen && MERGEABLE.includes(a.appeal.state)).length;

  const merge = async () => {
    if (!chosenAppeal) return setNotice({ text: '请选择合并到哪一件诉求', ok: false });
    const { confirm } = await Taro.showModal({ title: '合并为一件', content: `将其余 ${others} 件诉求合并到 ${chosenAppeal.number}，合并后反映人会随该件收到答复。确定合并吗？`, confirmText: '合并' });
    if (!confirm) return;
    const appealVersions = Object.fromEntries(h.appeals.map((a) => [a.appeal.id, a.version]));
    await decide(async (current) => {
      const r = await hotspotsApi.merge(current.id, { version: current.version, targetId: chosenAppeal.id, appealVersions }, { toast: false });
      setOutcomes(r.outcomes);
      return r.hotspot;
    }, '已合并为一件');
  };

  const dismiss = async () => {
    const typed = reason.trim();
    if (typed.length < 2) return setNotice({ text: '请填写忽略的理由（至少2个字）', ok: false });
    const { confirm } = await Taro.showModal({ title: '忽略', content: '忽略后这组诉求不再列为高频诉求（各件诉求照常办理）。确定忽略吗？', confirmText: '忽略' });
    if (!confirm) return;
    await decide((current) => hotspotsApi.dismiss(current.id, { version: current.version, reason: typed }, { toast: false }), '已忽略');
  };

  const shownOutcomes = outcomes ?? h.merge?.outcomes ?? null;
  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>{`${h.regionName}：${h.label}`}</Text>
        <Text className='news-item__meta'>{`${h.windowHours}小时内 ${h.size} 件相似诉求 · ${shortTime(h.firstAt)} 至 ${shortTime(h.lastAt)}`}</Text>
        <Text className='news-state'>{h.stateLabel}</Text>
        {h.merge ? <Text className='news-hint'>{`${h.merge.byName} 于 ${shortTime(h.merge.at)} 合并到 ${h.merge.targetNumber}`}</Text> : null}
        {h.dismissal ? <Text className='news-item__warn'>{`${h.dismissal.byName} 于 ${shortTime(h.dismissal.at)} 忽略：${h.dismissal.reason}`}</Text> : null}
      </View>

      {h.canDecide || notice || shownOutcomes ? (
        <View className='card'>
          <Text className='card__title'>处理</Text>
          {notice ? <Text className={notice.ok ? 'news-done' : 'field-error'}>{notice.text}</Text> : null}
          {shownOutcomes && shownOutcomes.length > 0 ? (
            <View className='hotspot__outcomes'>
              {shownOutcomes.map((o) => (
                <Text key={o.appealId} className={`hotspot__outcome${o.result === 'failed' ? ' field-error' : ''}`}>
                  {`${o.number}：${OUTCOME_LABELS[o.result]}${o.message ? `（${o.message}）` : ''}`}
                </Text>
              ))}
            </View>
          ) : null}
          {h.canDecide && form === null ? (
            <View className='news-buttons'>
              <Button className='btn btn--primary news-button' disabled={busy} onClick={() => setForm('merge')}>
                合并为一件
              </Button>
              <Button className='btn btn--secondary news-button' disabled={busy} onClick={() => setForm('dismiss')}>
                忽略
              </Button>
            </View>
          ) : null}
          {h.canDecide && form === 'merge' ? (
            <View>
              <Text className='news-label'>合并到哪一件（其余诉求都并入这一件）</Text>
              {h.appeals
                .filter((a) => !FINAL.includes(a.appeal.state))
                .map((a) => (
                  <Text key={a.appeal.id} className={`news-tab news-tab--sub hotspot__target${a.appeal.id === chosen ? ' news-tab--on' : ''}`} onClick={() => setTarget(a.appeal.id)}>
                    {`${a.appeal.id === chosen ? '✓ ' : ''}${a.appeal.number} ${a.appeal.excerpt}`}
                  </Text>
                ))}
              <View className='news-buttons'>
                <Button className='btn btn--secondary news-button' disabled={busy} onClick={() => setForm(null)}>
                  取消
                </Button>
                <Button className='btn btn--primary news-button' disabled={busy} onClick={() => void merge()}>
                  {busy ? '合并中…' : '确定合并'}
                </Button>
              </View>
            </View>
          ) : null}
          {h.canDecide && form === 'dismiss' ? (
            <View>
              <Text className='news-label'>忽略的理由</Text>
              <Textarea className='news-textarea' value={reason} maxlength={200} nativeProps={controlLabel('忽略的理由')} placeholder='如：不是同一件事，各自办理' onInput={(e) => setReason(e.detail.value)} />
              <View className='news-buttons'>
                <Button className='btn btn--secondary news-button' disabled={busy} onClick={() => setForm(null)}>
                  取消
                </Button>
                <Button className='btn btn--primary news-button' disabled={busy} onClick={() => void dismiss()}>
                  {busy ? '提交中…' : '确定忽略'}
                </Button>
              </View>
            </View>
          ) : null}
        </View>
      ) : null}

      <View className='card'>
        <Text className='card__title'>{`这组诉求（${h.appeals.length} 件）`}</Text>
        {h.appeals.length === 0 ? <EmptyState text='没有可查看的诉求' /> : null}
        {h.appeals.map((a) => (
          <AppealCard key={a.appeal.id} appeal={a.appeal} showRegion showDepartment onClick={() => void Taro.navigateTo({ url: staffPage('appeal-handle', { id: a.appeal.id }) })} />
        ))}
      </View>
    </View>
  );
}
