import { Text, View } from '@tarojs/components';
import { usePageClass } from '../../hooks/use-page-class';
import './index.scss';

// Placeholder until the page lands.
export default function Page() {
  return (
    <View className={usePageClass('notice')}>
      <Text>通知详情</Text>
    </View>
  );
}
