// One appeal in a staff list: what a dispatcher or handler scans for (number, state, where, who has
// it, how urgent) in two or three lines, and the whole row opens it.
import { Text, View } from '@tarojs/components';
import type { AppealSummary } from '../../../../api/types';
import { StateTag } from '../../../../components/AppealCard';
import { formatTime, kindAndCategory } from '../../../../utils/appeal';
import './AppealInboxItem.scss';

export function dueLabel(a: Pick<AppealSummary, 'dueAt' | 'overdue'>): string {
  if (a.overdue) return a.dueAt ? `已超期（时限 ${formatTime(a.dueAt)}）` : '已超期';
  return a.dueAt ? `时限 ${formatTime(a.dueAt)}` : '';
}

export function AppealInboxItem({ appeal, onOpen }: { appeal: AppealSummary; onOpen: (a: AppealSummary) => void }) {
  const due = dueLabel(appeal);
  return (
    <View className={`appeal-item${appeal.overdue ? ' appeal-item--overdue' : ''}`} onClick={() => onOpen(appeal)}>
      <View className='appeal-item__head'>
        <Text className='appeal-item__number'>{appeal.number}</Text>
        <StateTag state={appeal.state} label={appeal.stateLabel} />
      </View>
      <View className='appeal-item__tags'>
        {appeal.overdue ? <Text className='appeal-item__tag appeal-item__tag--overdue'>超期</Text> : null}
        {appeal.directDispatch ? <Text className='appeal-item__tag'>直派</Text> : null}
        <Text className='appeal-item__tag appeal-item__tag--plain'>{kindAndCategory(appeal)}</Text>
        {/* Only on appeals without a category (the server's guess for the bot's intake): a hint for the dispatcher. */}
        {appeal.suggestion ? <Text className='appeal-item__tag appeal-item__tag--plain'>{`建议分类：${appeal.suggestion.categoryName}`}</Text> : null}
      </View>
      <Text className='appeal-item__excerpt'>{appeal.excerpt}</Text>
      <Text className='appeal-item__meta'>
        {appeal.regionName}
        {appeal.departmentName ? ` · ${appeal.departmentName}` : ''}
      </Text>
      {due ? <Text className={`appeal-item__due${appeal.overdue ? ' appeal-item__due--overdue' : ''}`}>{due}</Text> : null}
    </View>
  );
}
