// One consultation (议事) as a resident sees it: the question, its description and photos, the
// options as large rows to tap (a radio for one choice, checkboxes up to maxChoices), 投票 / 修改投票
// before it closes, the resident's own choice (您投了：…), the results live (bars, counts, shares,
// 参与人数 and 参与率) and, once closed, the final result and the decision notice. Who may not vote
// (signed out, no community, another community, a staff account) is told why in plain words. Below,
// the neighbours' discussion (comments), read only once the vote has closed.
import { useCallback, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { consultationsApi } from '../../api/endpoints';
import { ApiError, errorMessage } from '../../api/request';
import type { ConsultationDetail, Me } from '../../api/types';
import { CommentSection } from '../../components/CommentSection';
import { PendingPage } from '../../components/StateView';
import { useCurrentUser } from '../../hooks/use-current-user';
import { useLoadedItem } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { noticeUrl } from '../../utils/news';
import { useReadAgain } from '../tip-detail/tip-view';
import { ConsultationQuestion, ConsultationResults, GROUP_VOTE_HINT, myChoiceText, optionMark } from './consultation-view';
import './index.scss';

const LOGIN_PAGE = '/pages/login/index';
const REGION_PICKER_PAGE = '/pages/region-picker/index';

/** Why this reader cannot vote on an open consultation, in words, or null when they can. */
export function whyNoVote(c: Pick<ConsultationDetail, 'state' | 'mayVote' | 'regionName'>, user: Pick<Me, 'roles' | 'regionId'> | null): string | null {
  if (c.state !== 'open' || c.mayVote) return null;
  if (!user) return '登录后才能投票。请先登录，并选择您所在的社区。';
  if (!user.roles.includes('resident')) return '工作人员账号不能投票，请用居民账号参与。';
  if (!user.regionId) return '请先选择您所在的社区，本社区的居民才能投票。';
  return `本次议事只请「${c.regionName}」的居民投票，您所在的社区不在范围内，可以查看结果。`;
}

const sameChoices = (a: readonly number[], b: readonly number[]) => a.length === b.length && [...a].sort().every((n, i) => n === [...b].sort()[i]);

export default function ConsultationDetailPage() {
  const pageClass = usePageClass('consultation-detail');
  const user = useCurrentUser();
  const id = useRouter().params.id ?? '';
  const read = useCallback(() => consultationsApi.get(id, { toast: false }), [id]);
  const loaded = useLoadedItem<ConsultationDetail>(id ? read : null, '没有找到这项议事');
  const c = loaded.item;
  // What the resident has tapped, tied to the server's vote it started from.
  const [edit, setEdit] = useState<{ from: string; choices: number[] } | null>(null);
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<{ text: string; ok: boolean } | null>(null);

  useReadAgain(loaded.reload);
  // The rows start from the resident's own vote (修改投票 changes it), again whenever the server's copy says otherwise.
  // Derived in the same render, not set by an effect: the first paint already shows their vote.
  const mine = c?.myChoices?.join(',') ?? '';
  const picked = edit && edit.from === mine ? edit.choices : mine ? mine.split(',').map(Number) : [];
  const setPicked = (choices: number[]) => setEdit({ from: mine, choices });

  if (loaded.status !== 'ready' || !c) return <PendingPage className={pageClass} status={loaded.status} error={loaded.error} onRetry={id ? () => void loaded.reload() : undefined} />;

  const single = c.maxChoices === 1;
  const toggle = (no: number) => {
    setMessage(null);
    if (single) return setPicked([no]);
    if (picked.includes(no)) return setPicked(picked.filter((n) => n !== no));
    if (picked.length >= c.maxChoices) {
      void Taro.showToast({ title: `最多选择${c.maxChoices}项`, icon: 'none', duration: 2000 });
      return undefined;
    }
    return setPicked([...picked, no].sort((a, b) => a - b));
  };

  const vote = async () => {
    if (sending) return;
    if (picked.length === 0) {
      setMessage({ text: '请先选择一项', ok: false });
      return;
    }
    setSending(true);
    setMessage(null);
    try {
      const res = await consultationsApi.vote(c.id, picked, { toast: false });
      const done = res.changed ? '已修改投票' : '投票成功';
      void Taro.showToast({ title: done, icon: 'success' });
      setMessage({ text: `${done}，谢谢您的参与`, ok: true });
      await loaded.reload();
    } catch (e) {
      const text = errorMessage(e);
      setMessage({ text, ok: false });
      void Taro.showToast({ title: text, icon: 'none', duration: 2500 });
      // Closed meanwhile, or out of scope now: show what the server says it is.
      if (e instanceof ApiError && (e.status === 409 || e.status === 403)) await loaded.reload();
    } finally {
      setSending(false);
    }
  };

  const why = whyNoVote(c, user);
  const choice = myChoiceText(c);
  const changed = c.myChoices ? !sameChoices(picked, c.myChoices) : picked.length > 0;

  return (
    <View className={pageClass}>
      <ConsultationQuestion c={c} />

      {c.state === 'open' ? (
        <View className='card'>
          <Text className='card__title'>{single ? '请选择一项' : `可多选，最多选${c.maxChoices}项`}</Text>
          {choice ? <Text className='consultation-detail__mine'>{choice}</Text> : null}
          {c.options.map((o) => {
            const on = picked.includes(o.no);
            const a11y = { role: single ? 'radio' : 'checkbox', 'aria-checked': on ? 'true' : 'false', tabIndex: 0 };
            return (
              <View
                key={o.no}
                className={`consultation-option${on ? ' consultation-option--on' : ''}${c.mayVote ? '' : ' consultation-option--off'}`}
                onClick={c.mayVote && !sending ? () => toggle(o.no) : undefined}
                {...(c.mayVote ? a11y : {})}
              >
                <Text className={`consultation-option__mark consultation-option__mark--${single ? 'radio' : 'box'}`}>{on ? (single ? '●' : '✓') : ''}</Text>
                <Text className='consultation-option__text'>{`${optionMark(o.no)} ${o.text}`}</Text>
              </View>
            );
          })}
          {message ? <Text className={message.ok ? 'consultation-detail__done' : 'field-error'}>{message.text}</Text> : null}
          {c.mayVote ? (
            <Button className='btn btn--primary consultation-detail__vote' disabled={sending || !changed} onClick={() => void vote()}>
              {sending ? '正在提交…' : c.myChoices ? '修改投票' : '投票'}
            </Button>
          ) : null}
          {c.mayVote ? <Text className='consultation-detail__sub'>截止前都可以修改，以最后一次为准。投票不公开，只公布各选项票数。</Text> : null}
          {why ? (
            <View className='consultation-detail__why'>
              <Text className='consultation-detail__why-text'>{why}</Text>
              {!user ? (
                <Button className='btn btn--secondary' onClick={() => void Taro.navigateTo({ url: LOGIN_PAGE })}>
                  去登录
                </Button>
              ) : user.roles.includes('resident') && !user.regionId ? (
                <Button className='btn btn--secondary' onClick={() => void Taro.navigateTo({ url: REGION_PICKER_PAGE })}>
                  选择社区
                </Button>
              ) : null}
            </View>
          ) : null}
          <Text className='consultation-detail__sub'>{GROUP_VOTE_HINT}</Text>
        </View>
      ) : null}

      {c.state === 'closed' ? (
        <View className='card'>
          <Text className='card__title'>投票已结束</Text>
          {choice ? <Text className='consultation-detail__mine'>{choice}</Text> : null}
          {c.decisionNoticeId ? (
            <Text className='consultation-detail__link' onClick={() => void Taro.navigateTo({ url: noticeUrl(c.decisionNoticeId!) })}>
              查看社区的决定 ›
            </Text>
          ) : (
            <Text className='consultation-detail__sub'>社区公布决定后，会在这里和通知公告里告诉大家。</Text>
          )}
        </View>
      ) : null}

      {c.state === 'open' || c.state === 'closed' ? <ConsultationResults c={c} /> : null}
      {/* The neighbours' discussion (the news moderation): taken while the vote is open, read after. */}
      {c.state === 'open' || c.state === 'closed' ? <CommentSection consultationId={c.id} closed={c.state === 'closed'} /> : null}
    </View>
  );
}
