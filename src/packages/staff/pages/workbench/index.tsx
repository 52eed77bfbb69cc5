import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { regionLabel } from '../../../../utils/region';
import { canBindRooms } from '../../shared';
import './index.scss';

// Staff workbench (工作台): lives in the `packages/staff` subpackage so residents never download it.
export default function WorkbenchPage() {
  const user = useCurrentUser();

  if (!user) {
    return (
      <View className='page workbench'>
        <View className='card'>
          <Text className='card__title'>请先登录</Text>
          <Text className='text-muted'>工作台仅供工作人员使用。</Text>
        </View>
      </View>
    );
  }

  const go = (page: string) => void Taro.navigateTo({ url: `/packages/staff/pages/${page}/index` });

  return (
    <View className='page workbench'>
      <View className='card'>
        <Text className='card__title'>我的工作台</Text>
        <Text className='workbench__who'>
          {user.name}（{user.roleLabels.join('、')}）
        </Text>
        <Text className='workbench__label'>负责区域</Text>
        {user.scopeRegions.length > 0 ? (
          <View className='workbench__regions'>
            {user.scopeRegions.map((r) => (
              <Text className='workbench__region' key={r.id}>
                {regionLabel(r)}
              </Text>
            ))}
          </View>
        ) : (
          <Text className='text-muted workbench__region'>暂无负责区域</Text>
        )}
      </View>

      <View className='card'>
        {canBindRooms(user) ? (
          <View className='list-row' onClick={() => go('room-binding')}>
            <View className='list-row__main'>
              <Text className='workbench__entry'>群聊绑定</Text>
              <Text className='list-row__sub'>把社区的微信群交给群聊机器人</Text>
            </View>
            <Text className='list-row__arrow'>›</Text>
          </View>
        ) : null}
        <View className='list-row' onClick={() => go('contact-binding')}>
          <View className='list-row__main'>
            <Text className='workbench__entry'>绑定我的微信</Text>
            <Text className='list-row__sub'>{user.wechatContactBound ? '已绑定' : '尚未绑定'}</Text>
          </View>
          <Text className='list-row__arrow'>›</Text>
        </View>
      </View>

      <Text className='workbench__soon'>更多工作台功能建设中，敬请期待</Text>
    </View>
  );
}
