import { View } from '@tarojs/components';
import './index.scss';

// Placeholder: being built.
export default function Page() {
  return <View className='page'>办理诉求</View>;
}
