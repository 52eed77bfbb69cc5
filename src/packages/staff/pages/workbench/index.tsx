import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import type { Me } from '../../../../api/types';
import { getCurrentUser } from '../../../../store/session';
import './index.scss';

// Staff workbench (工作台): lives in the `packages/staff` subpackage so residents never download it.
export default function WorkbenchPage() {
  const [user, setUser] = useState<Me | null>(() => getCurrentUser());
  useDidShow(() => setUser(getCurrentUser()));

  return (
    <View className='page workbench'>
      <View className='card'>
        <Text className='card__title'>我的工作台</Text>
        {user ? (
          <Text className='workbench__who'>
            {user.name}（{user.roleLabels.join('、')}）
          </Text>
        ) : null}
        <Text className='workbench__soon'>工作台功能建设中，敬请期待</Text>
      </View>
      <Button
        className='btn btn--secondary'
        onClick={() => Taro.navigateBack().catch(() => Taro.switchTab({ url: '/pages/me/index' }))}
      >
        返回我的
      </Button>
    </View>
  );
}
