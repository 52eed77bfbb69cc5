import { View } from '@tarojs/components';
import './index.scss';

// Placeholder: being built.
export default function Page() {
  return <View className='page'>代报代录</View>;
}
