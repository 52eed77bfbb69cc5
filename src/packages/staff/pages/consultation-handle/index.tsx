// 议事 (?id=) as staff see it: the question, where it stands, its results, and the moves its state
// allows: 批准 / 驳回 (理由) for a reviewer on a county-wide one waiting, 提前结束 while voting,
// 公布决定 (the text, published as a notice that links back) once closed. Every move carries the
// version the page shows: when someone else moved it first the server answers 409, the page says so
// in Chinese and shows what it is now. A failed send keeps what was typed.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { consultationsApi } from '../../../../api/endpoints';
import { ApiError, errorMessage } from '../../../../api/request';
import type { ConsultationDetail, ConsultationMove, Me } from '../../../../api/types';
import { PendingPage } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { useLoadedItem } from '../../../../hooks/use-cursor-list';
import { usePageClass } from '../../../../hooks/use-page-class';
import { noticeUrl } from '../../../../utils/news';
import { ConsultationQuestion, ConsultationResults } from '../../../../pages/consultation-detail/consultation-view';
import { useReadAgain } from '../../../../pages/tip-detail/tip-view';
import { isConflict, isReviewer } from '../../components/NewsAccess';
import { isStale } from '../../components/NewsHooks';
import './index.scss';

/** Someone else moved it after this page read it (409 STALE_VERSION). */
export const CONSULTATION_STALE_MESSAGE = '这项议事刚被其他人处理过，已重新加载，请看清当前状态后再操作';

export const MOVE_LABELS: Record<ConsultationMove, string> = { approve: '批准', reject: '驳回', close: '提前结束', decision: '公布决定' };
const MOVE_DONE: Record<ConsultationMove, string> = { approve: '已批准，开始投票', reject: '已驳回', close: '投票已结束', decision: '决定已公布' };
/** The moves that need text typed first, with what the box asks for and its limits (server ConsultationMoveBodies). */
const TEXT_MOVES: Partial<Record<ConsultationMove, { label: string; placeholder: string; max: number }>> = {
  reject: { label: '驳回理由（发起人可以看到）', placeholder: '如：范围应为本乡镇，请重新发起', max: 200 },
  decision: { label: '决定内容（将作为通知公告发布到议事范围）', placeholder: '如：经居民投票，同意加装电梯，下月开工', max: 2000 },
};

const has = (user: Pick<Me, 'roles'>, role: Me['roles'][number]) => user.roles.includes(role) || user.roles.includes('admin');

/** The moves this consultation's state allows this user, in the order the buttons show (the server checks again). */
export function consultationButtons(c: Pick<ConsultationDetail, 'state' | 'decisionNoticeId'>, user: Pick<Me, 'roles'>): ConsultationMove[] {
  if (c.state === 'pending') return isReviewer(user) ? ['approve', 'reject'] : [];
  if (c.state === 'open') return has(user, 'community_staff') || has(user, 'dispatcher') || isReviewer(user) ? ['close'] : [];
  if (c.state === 'closed' && !c.decisionNoticeId) return has(user, 'community_staff') || has(user, 'editor') || isReviewer(user) ? ['decision'] : [];
  return [];
}

const STATE_NOTES: Record<ConsultationDetail['state'], string> = {
  pending: '全县范围的议事，审核人员批准后开始投票。',
  open: '正在投票，截止前居民可以修改投票。',
  closed: '投票已结束，结果为最终结果。',
  rejected: '未通过审核。',
};

export default function ConsultationHandlePage() {
  const pageClass = usePageClass('consultation-handle');
  const user = useCurrentUser();
  const id = useRouter().params.id ?? '';
  const read = useCallback(() => consultationsApi.get(id, { toast: false }), [id]);
  const loaded = useLoadedItem<ConsultationDetail>(id ? read : null, '缺少议事编号');
  const c = loaded.item;
  const [form, setForm] = useState<ConsultationMove | null>(null);
  const [text, setText] = useState('');
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const running = useRef(false);

  useReadAgain(loaded.reload);

  /** One move at a time, on the version shown. */
  const send = async (action: ConsultationMove) => {
    if (running.current || !c) return;
    const typed = text.trim();
    if (TEXT_MOVES[action] && typed.length < 2) {
      setNotice({ text: action === 'reject' ? '请填写驳回理由（至少2个字）' : '请填写决定内容（至少2个字）', ok: false });
      return;
    }
    running.current = true;
    setBusy(true);
    setNotice(null);
    try {
      const body = action === 'reject' ? { version: c.version, reason: typed } : action === 'decision' ? { version: c.version, body: typed } : { version: c.version };
      const next = await consultationsApi.move(c.id, action, body as never, { toast: false });
      loaded.update(() => next);
      setForm(null);
      setText('');
      setNotice({ text: `${MOVE_DONE[action]}，当前状态：${next.stateLabel}`, ok: true });
      void Taro.showToast({ title: MOVE_DONE[action], icon: 'success' });
    } catch (e) {
      const message = isStale(e) ? CONSULTATION_STALE_MESSAGE : errorMessage(e);
      void Taro.showToast({ title: message, icon: 'none', duration: 3000 });
      if (isConflict(e)) {
        // Moved on meanwhile: show what it is now (what was typed stays in the box if the form still applies).
        setForm(null);
        setNotice({ text: message, ok: false });
        await loaded.reload();
      } else if (e instanceof ApiError && e.status !== 0) {
        setNotice({ text: message, ok: false });
      }
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  const press = async (action: ConsultationMove) => {
    setNotice(null);
    if (TEXT_MOVES[action]) return setForm(action);
    if (action === 'close') {
      const { confirm } = await Taro.showModal({ title: '提前结束', content: '结束后不能再投票，结果即为最终结果。确定吗？' });
      if (!confirm) return undefined;
    }
    return send(action);
  };

  if (loaded.status !== 'ready' || !c || !user) return <PendingPage className={pageClass} status={loaded.status} error={loaded.error} onRetry={() => void loaded.reload()} />;

  const buttons = consultationButtons(c, user);
  const asking = form ? TEXT_MOVES[form] : undefined;

  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>{c.stateLabel}</Text>
        <Text className='news-hint'>{STATE_NOTES[c.state]}</Text>
        {c.state === 'rejected' && c.rejectReason ? <Text className='news-item__warn'>{`驳回理由：${c.rejectReason}`}</Text> : null}
        {c.decisionNoticeId ? (
          <Text className='consultation-handle__link' onClick={() => void Taro.navigateTo({ url: noticeUrl(c.decisionNoticeId!) })}>
            查看已公布的决定 ›
          </Text>
        ) : null}
        {notice ? <Text className={notice.ok ? 'news-done' : 'field-error'}>{notice.text}</Text> : null}
        {form && asking ? (
          <View>
            <Text className='news-label'>{asking.label}</Text>
            <Textarea className='news-textarea' value={text} maxlength={asking.max} placeholder={asking.placeholder} onInput={(e) => setText(e.detail.value)} />
            <Text className='news-hint'>{`${text.trim().length}/${asking.max}`}</Text>
            <View className='news-buttons'>
              <Button className='btn btn--primary news-button' disabled={busy} onClick={() => void send(form)}>
                {`确定${MOVE_LABELS[form]}`}
              </Button>
              <Button className='btn btn--secondary news-button' disabled={busy} onClick={() => setForm(null)}>
                取消
              </Button>
            </View>
          </View>
        ) : buttons.length > 0 ? (
          <View className='news-buttons'>
            {buttons.map((b, i) => (
              <Button key={b} className={`btn ${i === 0 ? 'btn--primary' : 'btn--secondary'} news-button`} disabled={busy} onClick={() => void press(b)}>
                {MOVE_LABELS[b]}
              </Button>
            ))}
          </View>
        ) : null}
      </View>
      <ConsultationQuestion c={c} />
      {c.state === 'open' || c.state === 'closed' ? <ConsultationResults c={c} /> : null}
    </View>
  );
}
