// A month's ranking as a table (名次, 名称, 得分, 变化): the measures page and the county dashboard.
import { Text, View } from '@tarojs/components';
import type { RankedUnit } from '../../../api/types';
import { rankChangeText, scoreChangeText } from './measures';
import './RankingTable.scss';

const direction = (u: RankedUnit) => (u.change.rank === null || u.previous.rank === null ? 'new' : u.change.rank > 0 ? 'up' : u.change.rank < 0 ? 'down' : 'same');

export function RankingTable({ items, nameLabel, theme = 'light' }: { items: RankedUnit[]; nameLabel: string; theme?: 'light' | 'dark' }) {
  return (
    <View className={`ranking ranking--${theme}`} role='table'>
      <View className='ranking__tr ranking__tr--head' role='row'>
        <Text className='ranking__td ranking__td--rank'>名次</Text>
        <Text className='ranking__td ranking__td--name'>{nameLabel}</Text>
        <Text className='ranking__td'>得分</Text>
        <Text className='ranking__td'>变化</Text>
      </View>
      {items.map((u) => (
        <View className='ranking__tr ranking__row' role='row' key={u.id}>
          <Text className='ranking__td ranking__td--rank'>{u.rank === null ? '—' : String(u.rank)}</Text>
          <Text className='ranking__td ranking__td--name'>{u.name}</Text>
          <Text className='ranking__td'>{u.score === null ? '—' : String(u.score)}</Text>
          <Text className={`ranking__td ranking__change ranking__change--${direction(u)}`}>{`${rankChangeText(u.change.rank, u.previous.rank)}（${scoreChangeText(u.change.score)}）`}</Text>
        </View>
      ))}
    </View>
  );
}
