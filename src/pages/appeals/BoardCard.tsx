// One answered public appeal on the board (公开诉求): what was asked, the start of the official
// answer and who gave it, when, and how the reporter rated it. Masked by the server; the whole card
// is the touch target.
import { Image, Text, View } from '@tarojs/components';
import type { BoardItem } from '../../api/types';
import { StateTag } from '../../components/AppealCard';
import { DECORATIVE_IMAGE } from '../../utils/a11y';
import { formatTime, kindAndCategory, photoSrc } from '../../utils/appeal';
import './BoardCard.scss';

export function BoardCard({ item, onClick }: { item: BoardItem; onClick: () => void }) {
  return (
    <View className='board-card' onClick={onClick}>
      <View className='board-card__head'>
        <StateTag state={item.state} label={item.stateLabel} />
        {item.rating ? <Text className='board-card__rating'>{`评价：${item.rating.satisfactionLabel}`}</Text> : null}
      </View>
      <Text className='board-card__meta'>{`${kindAndCategory(item)} · ${item.regionName}`}</Text>
      <View className='board-card__body'>
        <Text className='board-card__question'>{`问：${item.excerpt}`}</Text>
        {item.thumbUrl ? <Image className='board-card__thumb' src={photoSrc(item.thumbUrl)} mode='aspectFill' nativeProps={DECORATIVE_IMAGE} /> : null}
      </View>
      <Text className='board-card__answer'>{`答：${item.answerExcerpt}`}</Text>
      <Text className='board-card__meta'>{`${item.departmentName ?? '承办单位'}答复 · ${formatTime(item.answeredAt)}`}</Text>
      <Text className='board-card__meta'>{`${item.reporterName} 提交于 ${formatTime(item.submittedAt)}`}</Text>
    </View>
  );
}
