import { View } from '@tarojs/components';
import './index.scss';

// Placeholder: being built.
export default function Page() {
  return <View className='page'>我要反映</View>;
}
