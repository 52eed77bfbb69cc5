import { Text, View } from '@tarojs/components';
import { usePageClass } from '../../../../hooks/use-page-class';
import './index.scss';

// Placeholder until the page lands.
export default function Page() {
  return (
    <View className={usePageClass('services-admin')}>
      <Text>服务目录管理</Text>
    </View>
  );
}
