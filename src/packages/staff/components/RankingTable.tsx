// A month's ranking as a table (名次, 名称, 得分, 变化): the measures page and the county dashboard.
// Each cell is a View with its table role (as the charts' tables are; Taro's Text takes no role): a
// screen reader reads a row only through its cells, and axe fails a role='row' without them
// (aria-required-children).
import { View } from '@tarojs/components';
import type { RankedUnit } from '../../../api/types';
import { rankChangeText, scoreChangeText } from './measures';
import './RankingTable.scss';

const direction = (u: RankedUnit) => (u.change.rank === null || u.previous.rank === null ? 'new' : u.change.rank > 0 ? 'up' : u.change.rank < 0 ? 'down' : 'same');

export function RankingTable({ items, nameLabel, theme = 'light' }: { items: RankedUnit[]; nameLabel: string; theme?: 'light' | 'dark' }) {
  return (
    <View className={`ranking ranking--${theme}`} role='table'>
      <View className='ranking__tr ranking__tr--head' role='row'>
        <View className='ranking__td ranking__td--rank' role='columnheader'>
          名次
        </View>
        <View className='ranking__td ranking__td--name' role='columnheader'>
          {nameLabel}
        </View>
        <View className='ranking__td' role='columnheader'>
          得分
        </View>
        <View className='ranking__td' role='columnheader'>
          变化
        </View>
      </View>
      {items.map((u) => (
        <View className='ranking__tr ranking__row' role='row' key={u.id}>
          <View className='ranking__td ranking__td--rank' role='cell'>
            {u.rank === null ? '—' : String(u.rank)}
          </View>
          <View className='ranking__td ranking__td--name' role='rowheader'>
            {u.name}
          </View>
          <View className='ranking__td' role='cell'>
            {u.score === null ? '—' : String(u.score)}
          </View>
          <View className={`ranking__td ranking__change ranking__change--${direction(u)}`} role='cell'>{`${rankChangeText(u.change.rank, u.previous.rank)}（${scoreChangeText(u.change.score)}）`}</View>
        </View>
      ))}
    </View>
  );
}
