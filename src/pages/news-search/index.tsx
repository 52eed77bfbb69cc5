import { Text, View } from '@tarojs/components';
import { usePageClass } from '../../hooks/use-page-class';
import './index.scss';

// Placeholder until the page lands.
export default function Page() {
  return (
    <View className={usePageClass('news-search')}>
      <Text>搜索</Text>
    </View>
  );
}
