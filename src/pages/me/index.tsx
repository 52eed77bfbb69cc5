import { useState } from 'react';
import { Button, Switch, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { authApi } from '../../api/endpoints';
import { DemoBadge } from '../../components/DemoBadge';
import { ErrorState } from '../../components/StateView';
import { useDemoFlag } from '../../hooks/use-demo';
import { useCurrentUserState } from '../../hooks/use-current-user';
import { isElderlyMode, setElderlyMode } from '../../store/elderly-mode';
import { clearSession, getSession } from '../../store/session';
import { controlLabel } from '../../utils/a11y';
import { PRIVACY_PAGE } from '../../utils/privacy';
import { regionLabel } from '../../utils/region';
import { MY_TIPS_PAGE, TIP_NEW_PAGE } from '../tip-detail/tip-view';
import './index.scss';
import { usePageClass } from '../../hooks/use-page-class';

/** 适老化模式: the switch stores the setting; every open page (this one first) takes the larger sizes at once. */
function ElderlyModeCard() {
  const [on, setOn] = useState(isElderlyMode);
  const toggle = (value: boolean) => {
    setElderlyMode(value);
    setOn(value);
  };
  return (
    <View className='card'>
      <View className='list-row me__elderly'>
        <Text className='list-row__main me__entry'>适老化模式（大字体）</Text>
        <Switch className='me__elderly-switch' checked={on} color='#b71c1c' nativeProps={controlLabel('适老化模式（大字体）')} onChange={(e) => toggle(e.detail.value)} />
      </View>
      <Text className='text-muted me__elderly-hint'>放大文字和按钮，适合老年人使用</Text>
    </View>
  );
}

/** The privacy guide, open to everyone (signed in or not). */
function PrivacyGuideEntry() {
  return (
    <View className='card'>
      <View className='list-row' onClick={() => Taro.navigateTo({ url: PRIVACY_PAGE })}>
        <Text className='list-row__main me__entry'>隐私保护指引</Text>
        <Text className='list-row__arrow'>›</Text>
      </View>
    </View>
  );
}

/** 绑定我的微信 lives in the staff subpackage (one page for everyone); residents open it from here. */
const CONTACT_BINDING_PAGE = '/packages/staff/pages/contact-binding/index';

export default function MePage() {
  const pageClass = usePageClass('me');
  const { user, error, reload } = useCurrentUserState();
  const demo = useDemoFlag();
  const demoBadge = demo ? <DemoBadge /> : null;

  const logout = async () => {
    const session = getSession();
    if (session) await authApi.logout(session.refreshToken).catch(() => undefined);
    clearSession();
    void Taro.reLaunch({ url: '/pages/login/index' });
  };

  if (!user) {
    return (
      <View className={pageClass}>
        {demoBadge}
        <View className='card'>
          <Text className='card__title'>您还没有登录</Text>
          <Text className='text-muted'>登录后可以选择所在社区、提交和查看诉求。</Text>
          <Button className='btn btn--primary' onClick={() => Taro.navigateTo({ url: '/pages/login/index' })}>
            去登录
          </Button>
        </View>
        <ElderlyModeCard />
        <PrivacyGuideEntry />
      </View>
    );
  }

  const community = regionLabel(user.region);

  return (
    <View className={pageClass}>
      {demoBadge}
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

      <View className='card'>
        <View className='list-row' onClick={() => Taro.navigateTo({ url: TIP_NEW_PAGE })}>
          <Text className='list-row__main me__entry'>我要爆料</Text>
          <Text className='list-row__arrow'>›</Text>
        </View>
        <View className='list-row' onClick={() => Taro.navigateTo({ url: MY_TIPS_PAGE })}>
          <Text className='list-row__main me__entry'>我的爆料</Text>
          <Text className='list-row__arrow'>›</Text>
        </View>
      </View>

      {user.isStaff ? null : (
        <View className='card'>
          {/* Staff bind theirs from the workbench; a resident's linked WeChat makes a group vote and an app vote one person's. */}
          <View className='list-row' onClick={() => Taro.navigateTo({ url: CONTACT_BINDING_PAGE })}>
            <Text className='list-row__main me__entry'>绑定我的微信</Text>
            <Text className='list-row__sub'>{user.wechatContactBound ? '已绑定' : '未绑定'}</Text>
            <Text className='list-row__arrow'>›</Text>
          </View>
        </View>
      )}

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

      <ElderlyModeCard />
      <PrivacyGuideEntry />

      <Button className='btn btn--secondary me__logout' onClick={logout}>
        退出登录
      </Button>
    </View>
  );
}
