import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { authApi } from '../../api/endpoints';
import { ErrorState } from '../../components/StateView';
import { useCurrentUserState } from '../../hooks/use-current-user';
import { clearSession, getSession } from '../../store/session';
import { regionLabel } from '../../utils/region';
import './index.scss';

export default function MePage() {
  const { user, error, reload } = useCurrentUserState();

  const logout = async () => {
    const session = getSession();
    if (session) await authApi.logout(session.refreshToken).catch(() => undefined);
    clearSession();
    void Taro.reLaunch({ url: '/pages/login/index' });
  };

  if (!user) {
    return (
      <View className='page me'>
        <View className='card'>
          <Text className='card__title'>您还没有登录</Text>
          <Text className='text-muted'>登录后可以选择所在社区、提交和查看诉求。</Text>
          <Button className='btn btn--primary' onClick={() => Taro.navigateTo({ url: '/pages/login/index' })}>
            去登录
          </Button>
        </View>
      </View>
    );
  }

  const community = regionLabel(user.region);

  return (
    <View className='page me'>
      {error ? <ErrorState message={`资料未能更新：${error}`} onRetry={reload} /> : null}
      <View className='card'>
        <Text className='me__name'>{user.name}</Text>
        <View className='me__roles'>
          {user.roleLabels.map((label) => (
            <Text className='tag' key={label}>
              {label}
            </Text>
          ))}
        </View>
      </View>

      <View className='card'>
        <Text className='card__title'>所在社区</Text>
        <Text className='me__community'>{community ?? '尚未选择'}</Text>
        <Button className='btn btn--secondary' onClick={() => Taro.navigateTo({ url: '/pages/region-picker/index' })}>
          选择社区
        </Button>
      </View>

      {user.isStaff ? (
        <View className='card'>
          <View
            className='list-row'
            onClick={() => Taro.navigateTo({ url: '/packages/staff/pages/workbench/index' })}
          >
            <Text className='list-row__main me__entry'>工作台</Text>
            <Text className='list-row__arrow'>›</Text>
          </View>
        </View>
      ) : null}

      <Button className='btn btn--secondary me__logout' onClick={logout}>
        退出登录
      </Button>
    </View>
  );
}
