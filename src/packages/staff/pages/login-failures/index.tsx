// 登录失败记录 (admins): failed password sign-ins of the last day, one row per account and network
// address (masked), newest first, with how many and when; and the limits in force, so an admin can
// tell a campaign against an account from a colleague who forgot a password. The limits stop the
// guesser's address, never the owner (server/auth/login-limits.ts).
import { useCallback, useRef, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { authApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { FailedLoginList } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { chinaShortTime, parseInstant } from '../../../../../common/china-time';
import { isAdmin } from '../../shared';
import './index.scss';

type Loaded = { status: 'loading' } | { status: 'ready'; data: FailedLoginList } | { status: 'error'; error: string };

const when = (iso: string) => {
  const at = parseInstant(iso);
  return at === null ? '' : chinaShortTime(at);
};

export default function LoginFailuresPage() {
  const pageClass = usePageClass('login-failures');
  const user = useCurrentUser();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const generation = useRef(0);

  const load = useCallback(async () => {
    const gen = ++generation.current;
    setLoaded({ status: 'loading' });
    try {
      const data = await authApi.failedLogins({ toast: false });
      if (gen === generation.current) setLoaded({ status: 'ready', data });
    } catch (e) {
      if (gen === generation.current) setLoaded({ status: 'error', error: errorMessage(e) });
    }
  }, []);
  const allowed = !user || isAdmin(user);
  useDidShow(() => {
    if (allowed) void load();
  });

  if (!allowed) {
    return (
      <View className={pageClass}>
        <ErrorState message='只有管理员可以查看登录失败记录' />
      </View>
    );
  }

  return (
    <View className={pageClass}>
      {loaded.status === 'loading' ? <LoadingState /> : null}
      {loaded.status === 'error' ? <ErrorState message={`加载失败：${loaded.error}`} onRetry={() => void load()} /> : null}
      {loaded.status === 'ready' ? (
        <>
          <View className='card'>
            <Text className='card__title'>登录保护规则</Text>
            <Text className='login-failures__policy'>
              {`同一账号在同一网络地址 ${loaded.data.policy.windowMinutes} 分钟内密码错误 ${loaded.data.policy.perAddressLimit} 次，该地址暂停登录该账号；` +
                `同一账号 ${loaded.data.policy.windowMinutes} 分钟内累计错误 ${loaded.data.policy.accountThreshold} 次，出错过的地址暂停登录该账号，` +
                '其他地址输入正确密码仍可登录，账号本人不会被锁定。'}
            </Text>
          </View>
          <View className='card'>
            <Text className='card__title'>近一天的登录失败</Text>
            {loaded.data.items.length === 0 ? (
              <EmptyState text='近一天没有登录失败记录' />
            ) : (
              loaded.data.items.map((f) => (
                <View className='login-failures__row' key={`${f.username}|${f.address}`}>
                  <Text className='login-failures__account'>
                    {f.username}
                    {f.accountExists ? '' : '（账号不存在）'}
                  </Text>
                  <Text className='list-row__sub'>{`网络地址：${f.address}`}</Text>
                  <Text className='list-row__sub'>
                    <Text className='login-failures__count'>{`失败 ${f.count} 次`}</Text>
                    {`　首次 ${when(f.firstAt)}　最近 ${when(f.lastAt)}`}
                  </Text>
                </View>
              ))
            )}
          </View>
        </>
      ) : null}
    </View>
  );
}
