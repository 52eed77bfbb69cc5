// One appeal in a list (the resident's 我的诉求, the staff inbox): state, number, what and where,
// an excerpt, when, and whether it is overdue. The whole card is the touch target.
import { Image, Text, View } from '@tarojs/components';
import type { AppealState, AppealSummary } from '../api/types';
import { DECORATIVE_IMAGE } from '../utils/a11y';
import { formatTime, kindAndCategory, photoSrc, stateTone } from '../utils/appeal';
import './AppealCard.scss';

export function StateTag({ state, label }: { state: AppealState; label: string }) {
  return <Text className={`appeal-state appeal-state--${stateTone(state)}`}>{label}</Text>;
}

export function OverdueMark() {
  return <Text className='appeal-overdue'>已超期</Text>;
}

export interface AppealCardProps {
  appeal: AppealSummary;
  onClick?: () => void;
  /** Staff lists: where it is and who has it. Residents know where their own appeals are. */
  showRegion?: boolean;
  showDepartment?: boolean;
}

export function AppealCard({ appeal, onClick, showRegion = false, showDepartment = false }: AppealCardProps) {
  const place = [showRegion ? appeal.regionName : null, showDepartment ? appeal.departmentName : null].filter(Boolean).join(' · ');
  return (
    <View className={`appeal-card${appeal.overdue ? ' appeal-card--overdue' : ''}`} onClick={onClick}>
      <View className='appeal-card__head'>
        <StateTag state={appeal.state} label={appeal.stateLabel} />
        {appeal.overdue ? <OverdueMark /> : null}
        <Text className='appeal-card__number'>{appeal.number}</Text>
      </View>
      <View className='appeal-card__body'>
        <Text className='appeal-card__excerpt'>{appeal.excerpt}</Text>
        {appeal.thumbUrl ? <Image className='appeal-card__thumb' src={photoSrc(appeal.thumbUrl)} mode='aspectFill' nativeProps={DECORATIVE_IMAGE} /> : null}
      </View>
      <Text className='appeal-card__meta'>{kindAndCategory(appeal)}</Text>
      {place ? <Text className='appeal-card__meta'>{place}</Text> : null}
      <View className='appeal-card__foot'>
        <Text className='appeal-card__time'>{formatTime(appeal.submittedAt)}</Text>
        {appeal.followersCount > 0 ? <Text className='appeal-card__followers'>{appeal.followersCount}人同问</Text> : null}
      </View>
    </View>
  );
}
