// What the tips (爆料) pages share, the resident's (tip-new, tip-list, tip-detail) and the
// newsroom's (packages/staff/pages/tips*): page addresses, the state tag, a tip in a list, what was
// sent (text, photos, where, when, consent) and its history. The server sends each tip's state label;
// the tables here are for what the pages show before they have a tip (the queue's tabs).
import { useRef } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { API_PREFIX } from '../../api/base';
import type { PhotoRef, TipDetail, TipEvent, TipState, TipSummary } from '../../api/types';
import { Timeline } from '../../components/Timeline';
import { formatTime } from '../../utils/appeal';
import { PhotoGrid } from '../appeal-detail/PhotoGrid';
import './tip-view.scss';

export const TIP_NEW_PAGE = '/pages/tip-new/index';
export const MY_TIPS_PAGE = '/pages/tip-list/index';
/** The page the server's reply message opens (server/tips/service.ts replyMessage). */
export const tipDetailUrl = (id: string) => `/pages/tip-detail/index?id=${encodeURIComponent(id)}`;

/** The states in the order of a tip's life: the newsroom queue's tabs (labels as the server's TIP_STATE_LABELS). */
export const TIP_STATE_TABS: ReadonlyArray<{ state: TipState; label: string }> = [
  { state: 'new', label: '待处理' },
  { state: 'taken', label: '已认领' },
  { state: 'used', label: '已采用' },
  { state: 'declined', label: '未采用' },
  { state: 'moved', label: '已转诉求' },
];

const ACTION_TITLES: Record<TipEvent['action'], string> = {
  submit: '提交爆料',
  take: '编辑部认领',
  decline: '不予采用',
  reply: '编辑部回复',
  use: '已采用',
  draft: '写成稿件草稿',
  to_appeal: '转为诉求',
  from_appeal: '由诉求转来',
};

/** Where a tip was said (a tip made from an appeal keeps the appeal's channel). */
const CHANNEL_NAMES: Record<TipSummary['channel'], string> = { miniprogram: '小程序爆料', bot: '群聊爆料', grid_worker: '网格员代报', hotline: '热线代录', open311: 'Open311' };

/** How a tip is named to its tipster (the server's reply message says the same: BL- and the id's end). */
export const tipNumber = (id: string) => `BL-${id.slice(-6).toUpperCase()}`;

/** A tip's photos by id as the photos feature serves them (display and thumbnail, EXIF removed). */
export const tipPhotos = (ids: readonly string[]): PhotoRef[] =>
  ids.map((id) => ({ id, url: `${API_PREFIX}/photos/${encodeURIComponent(id)}`, thumbUrl: `${API_PREFIX}/photos/${encodeURIComponent(id)}/thumb` }));

/** The newsroom's replies, oldest first. */
export const tipReplies = (history: readonly TipEvent[]) => history.filter((e) => e.action === 'reply' && e.note);

/**
 * A tips page reads again when it shows after the first time (a tip opened from it, or the page
 * left and come back to, may have moved on; the first read is the loader's own) and on pull-down.
 */
export function useReadAgain(read: () => Promise<void>): void {
  const shownOnce = useRef(false);
  useDidShow(() => {
    if (shownOnce.current) void read();
    shownOnce.current = true;
  });
  usePullDownRefresh(() => {
    void read().finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });
}

export function TipStateTag({ state, label }: { state: TipState; label: string }) {
  return <Text className={`tip-state tip-state--${state}`}>{label}</Text>;
}

/** One tip in a list (我的爆料, the newsroom's 线索): the whole card is the touch target. */
export function TipCard({ tip, onClick }: { tip: TipSummary; onClick: () => void }) {
  return (
    <View className='tip-card' onClick={onClick}>
      <View className='tip-card__head'>
        <TipStateTag state={tip.state} label={tip.stateLabel} />
        <Text className='tip-card__number'>{tipNumber(tip.id)}</Text>
      </View>
      <Text className='tip-card__text'>{tip.text}</Text>
      <Text className='tip-card__meta'>
        {[formatTime(tip.createdAt), CHANNEL_NAMES[tip.channel], tip.photoCount > 0 ? `${tip.photoCount}张照片` : null].filter(Boolean).join(' · ')}
      </Text>
    </View>
  );
}

/** What was sent: the text, the photos, where and when, and what the tipster agreed to. */
export function TipFacts({ tip }: { tip: TipDetail }) {
  return (
    <View className='card'>
      <View className='tip-card__head'>
        <TipStateTag state={tip.state} label={tip.stateLabel} />
        <Text className='tip-card__number'>{tipNumber(tip.id)}</Text>
      </View>
      <Text className='tip-detail__text'>{tip.text}</Text>
      <PhotoGrid photos={tipPhotos(tip.photoIds)} />
      {tip.place ? <Text className='tip-detail__line'>{`地点：${tip.place}`}</Text> : null}
      {tip.happenedAt ? <Text className='tip-detail__line'>{`时间：${formatTime(tip.happenedAt)}`}</Text> : null}
      <Text className='tip-detail__sub'>{`${formatTime(tip.createdAt)} 提交 · ${CHANNEL_NAMES[tip.channel]}`}</Text>
      <Text className='tip-detail__sub'>{`${tip.mayContact ? '可联系爆料人' : '不希望被联系'} · ${tip.mayCredit ? '可署名' : '不署名'}`}</Text>
    </View>
  );
}

/** The newsroom's replies to the tipster, newest last (as a conversation reads). */
export function TipReplies({ history }: { history: readonly TipEvent[] }) {
  const replies = tipReplies(history);
  if (replies.length === 0) return null;
  return (
    <View className='card tip-replies'>
      <Text className='card__title'>编辑部回复</Text>
      {replies.map((r, i) => (
        <View className='tip-replies__item' key={`${r.at}-${i}`}>
          <Text className='tip-detail__text'>{r.note}</Text>
          <Text className='tip-detail__sub'>{`${r.by} · ${formatTime(r.at)}`}</Text>
        </View>
      ))}
    </View>
  );
}

/** Every step (submitted, taken, replied, declined with the reason ...), newest first. */
export function TipHistory({ history }: { history: readonly TipEvent[] }) {
  return (
    <View className='card'>
      <Text className='card__title'>处理记录</Text>
      <Timeline entries={history.map((e) => ({ at: formatTime(e.at), title: ACTION_TITLES[e.action], by: e.by, note: e.action === 'use' || e.action === 'draft' ? null : e.note }))} empty='暂无记录' />
    </View>
  );
}
