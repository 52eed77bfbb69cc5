import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCurrentUser } from '../../hooks/use-current-user';
import { EmptyState } from '../../components/StateView';
import { regionLabel } from '../../utils/region';
import './index.scss';

export default function HomePage() {
  const user = useCurrentUser();

  const community = regionLabel(user?.region);

  return (
    <View className='page home'>
      <View className='card home__welcome'>
        <Text className='home__title'>欢迎使用县融</Text>
        <Text className='home__subtitle'>本地新闻 · 通知公告 · 有事找我们</Text>
        {user ? (
          <View className='home__who'>
            <Text className='home__greeting'>{user.name}，您好</Text>
            {community ? (
              <Text className='home__community'>所在社区：{community}</Text>
            ) : (
              <View>
                <Text className='home__community'>您还没有选择所在社区</Text>
                <Button
                  className='btn home__cta'
                  onClick={() => Taro.navigateTo({ url: '/pages/region-picker/index' })}
                >
                  选择社区
                </Button>
              </View>
            )}
          </View>
        ) : (
          <View className='home__who'>
            <Text className='home__community'>登录后可查看您所在社区的消息</Text>
            <Button className='btn home__cta' onClick={() => Taro.navigateTo({ url: '/pages/login/index' })}>
              去登录
            </Button>
          </View>
        )}
      </View>

      <View className='card'>
        <Text className='card__title'>本地新闻</Text>
        <EmptyState text='暂无内容' />
      </View>

      <View className='card'>
        <Text className='card__title'>通知公告</Text>
        <EmptyState text='暂无内容' />
      </View>
    </View>
  );
}
