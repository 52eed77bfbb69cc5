// What the consultations (议事) pages share, the resident's (consultation-list, consultation-detail)
// and the staff's (packages/staff/pages/consultation*): page addresses, the state tag, a consultation
// in a list, its question and photos, and its results (a bar per option with count and share,
// 参与人数 and 参与率). The server sends the counts and the state labels; nothing here counts votes.
import { Text, View } from '@tarojs/components';
import type { ConsultationDetail, ConsultationState, ConsultationSummary } from '../../api/types';
import { formatTime } from '../../utils/appeal';
import { PhotoGrid } from '../appeal-detail/PhotoGrid';
import { tipPhotos } from '../tip-detail/tip-view';
import './consultation-view.scss';

export const CONSULTATION_LIST_PAGE = '/pages/consultation-list/index';
export const consultationUrl = (id: string) => `/pages/consultation-detail/index?id=${encodeURIComponent(id)}`;

/** The resident list's tabs (labels as the server's CONSULTATION_STATE_LABELS). */
export const CONSULTATION_TABS: ReadonlyArray<{ state: 'open' | 'closed'; label: string }> = [
  { state: 'open', label: '投票中' },
  { state: 'closed', label: '已结束' },
];

/** How group members vote: the bot's command (bot/plugins, `投票 2` or `投票 1 3`). */
export const GROUP_VOTE_HINT = '也可以在社区微信群里回复“投票 序号”';

/** 0.456 → '45.6%', 1 → '100%'. */
export function percent(share: number): string {
  const v = Math.round(share * 1000) / 10;
  return `${v}%`;
}

/** The option numbers as the bot and the ballot paper say them: ①②… up to ⑩. */
export const optionMark = (no: number) => (no >= 1 && no <= 10 ? String.fromCharCode(0x2460 + no - 1) : `${no}.`);

/** '您投了：①同意加装电梯、②…' from the caller's own choices. */
export function myChoiceText(c: Pick<ConsultationDetail, 'options' | 'myChoices'>): string | null {
  if (!c.myChoices || c.myChoices.length === 0) return null;
  const texts = c.myChoices.map((no) => {
    const o = c.options.find((x) => x.no === no);
    return `${optionMark(no)}${o ? o.text : ''}`;
  });
  return `您投了：${texts.join('、')}`;
}

/** The option(s) with the most votes once it is final (a tie names each), or none without votes. */
export function leadingOptions(c: Pick<ConsultationDetail, 'options'>): number[] {
  const top = Math.max(0, ...c.options.map((o) => o.votes));
  return top === 0 ? [] : c.options.filter((o) => o.votes === top).map((o) => o.no);
}

export function ConsultationStateTag({ state, label }: { state: ConsultationState; label: string }) {
  return <Text className={`consultation-state consultation-state--${state}`}>{label}</Text>;
}

/** One consultation in a list: the whole card is the touch target. */
export function ConsultationCard({ item, onClick }: { item: ConsultationSummary; onClick: () => void }) {
  return (
    <View className='consultation-card' onClick={onClick}>
      <View className='consultation-card__head'>
        <ConsultationStateTag state={item.state} label={item.stateLabel} />
        <Text className='consultation-card__region'>{item.regionName}</Text>
      </View>
      <Text className='consultation-card__title'>{item.title}</Text>
      <Text className='consultation-card__meta'>{`${item.state === 'open' ? '截止' : item.state === 'closed' ? '结束' : '截止'}：${formatTime(item.closesAt)} · ${item.voters}人参与`}</Text>
    </View>
  );
}

/** The question: title, region, who asked, when it closes, the description and photos. */
export function ConsultationQuestion({ c }: { c: ConsultationDetail }) {
  return (
    <View className='card'>
      <View className='consultation-card__head'>
        <ConsultationStateTag state={c.state} label={c.stateLabel} />
        <Text className='consultation-card__region'>{`第${c.number}号`}</Text>
      </View>
      <Text className='consultation-detail__title'>{c.title}</Text>
      <Text className='consultation-detail__sub'>{`范围：${c.regionName} · 发起：${c.createdByName}`}</Text>
      <Text className='consultation-detail__sub'>{`${c.state === 'closed' ? '已于' : '截止时间：'}${formatTime(c.closesAt)}${c.state === 'closed' ? '结束' : ''}`}</Text>
      {c.description ? <Text className='consultation-detail__text'>{c.description}</Text> : null}
      <PhotoGrid photos={tipPhotos(c.photoIds)} />
    </View>
  );
}

/** The results: per option a bar, its votes and share; then 参与人数 and 参与率 (final once closed). */
export function ConsultationResults({ c }: { c: ConsultationDetail }) {
  const leading = c.final ? leadingOptions(c) : [];
  return (
    <View className='card consultation-results'>
      <Text className='card__title'>{c.final ? '最终结果' : '实时结果'}</Text>
      {c.options.map((o) => {
        const won = leading.includes(o.no);
        return (
          <View key={o.no} className={`consultation-results__row${won ? ' consultation-results__row--won' : ''}`}>
            <View className='consultation-results__line'>
              <Text className='consultation-results__option'>{`${optionMark(o.no)} ${o.text}${won ? '（票数最多）' : ''}`}</Text>
              <Text className='consultation-results__count'>{`${o.votes}票 ${percent(o.share)}`}</Text>
            </View>
            <View className='consultation-results__track'>
              <View className='consultation-results__bar' style={{ width: percent(Math.min(1, Math.max(0, o.share))) }} />
            </View>
          </View>
        );
      })}
      <Text className='consultation-results__turnout'>
        {`参与人数：${c.voters}人${c.turnout !== null ? ` · 参与率：${percent(c.turnout)}（共${c.eligible}位居民可投票）` : ''}`}
      </Text>
      {c.maxChoices > 1 ? <Text className='consultation-detail__sub'>多选：每人最多选{c.maxChoices}项，百分比按参与人数计算。</Text> : null}
    </View>
  );
}
