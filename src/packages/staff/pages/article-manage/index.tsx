import { Text, View } from '@tarojs/components';
import { usePageClass } from '../../../../hooks/use-page-class';
import './index.scss';

// Placeholder until the page lands.
export default function Page() {
  return (
    <View className={usePageClass('article-manage')}>
      <Text>稿件审核</Text>
    </View>
  );
}
