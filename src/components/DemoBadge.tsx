// The 演示 label of a demo deployment (server flag `demo`, see hooks/use-demo.ts): a word, not a
// colour only, and a line saying what it means for the person reading it.
import { Text, View } from '@tarojs/components';
import './DemoBadge.scss';

export function DemoBadge({ hint }: { hint?: string }) {
  return (
    <View className='demo-badge' aria-label='演示系统'>
      <Text className='demo-badge__tag'>演示</Text>
      <Text className='demo-badge__hint'>{hint ?? '演示系统：账号和数据均为虚构，任何人都可以登录，请勿填写真实个人信息'}</Text>
    </View>
  );
}
