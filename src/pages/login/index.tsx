import { useState } from 'react';
import { Button, Input, Picker, Text, View } from '@tarojs/components';
import Taro, { useLoad } from '@tarojs/taro';
import { authApi } from '../../api/endpoints';
import { apiUrl } from '../../api/base';
import { APP_PAGE_PATH, TAB_PAGES } from '../../../common/app-pages';
import { errorMessage } from '../../api/request';
import type { LoginMethods, Session } from '../../api/types';
import { DemoBadge } from '../../components/DemoBadge';
import { useDemoFlag } from '../../hooks/use-demo';
import { setSession } from '../../store/session';
import { DEFAULT_DEMO_RESIDENT, DEMO_RESIDENTS } from './demo';
import './index.scss';
import { usePageClass } from '../../hooks/use-page-class';

const IS_H5 = process.env.TARO_ENV === 'h5';

type Busy = 'none' | 'resident' | 'staff';

/** Why the H5 sign-in through WeChat came back without a ticket (server/auth/web-sign-in.ts). */
const WECHAT_WEB_ERRORS: Record<string, string> = {
  state: '微信登录已过期或不是从本页发起的，请重新点击“微信登录”',
  refused: '您未同意微信授权，可重新点击“微信登录”',
  failed: '微信登录暂时不可用，请稍后重试',
};

/** The page to open after signing in: a page of this app (the server checked it too), else 首页. */
function goAfterLogin(next?: string) {
  const path = next && APP_PAGE_PATH.test(next) ? next : '/pages/home/index';
  if ((TAB_PAGES as readonly string[]).includes(path.split('?')[0]!)) void Taro.switchTab({ url: path.split('?')[0]! });
  else void Taro.redirectTo({ url: path });
}

function afterLogin(session: Session, next?: string) {
  setSession(session);
  void Taro.showToast({ title: '登录成功', icon: 'success', duration: 1200 });
  goAfterLogin(next);
}

/** Off to WeChat's authorisation (a full page load: WeChat sends the browser back to the server). */
function startWechatWeb() {
  window.location.href = `${apiUrl('/auth/wechat-web/start')}?next=${encodeURIComponent('/pages/me/index')}`;
}

export default function LoginPage() {
  const pageClass = usePageClass('login');
  const [busy, setBusy] = useState<Busy>('none');
  const [residentError, setResidentError] = useState('');
  const [staffError, setStaffError] = useState('');
  const [demoIndex, setDemoIndex] = useState(DEMO_RESIDENTS.indexOf(DEFAULT_DEMO_RESIDENT));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  // The browser has no wx.login: residents use the demo login where the server offers it (not in
  // production, where they are sent to the mini-program instead).
  const [devLogin, setDevLogin] = useState<'unknown' | 'offered' | 'not-offered'>('unknown');

  // The methods also say whether this is a demo (labelled 演示 below), in both builds.
  const [methods, setMethods] = useState<LoginMethods | null>(null);
  const demo = useDemoFlag(methods);

  useLoad(() => {
    const params = Taro.getCurrentInstance().router?.params ?? {};
    if (IS_H5 && params.wxticket) {
      // Back from WeChat with a one-time ticket: it becomes the session, once.
      setBusy('resident');
      authApi
        .wechatWebSession(params.wxticket, { toast: false })
        .then((session) => afterLogin(session, params.next ? decodeURIComponent(params.next) : undefined))
        .catch((e: unknown) => setResidentError(errorMessage(e)))
        .finally(() => setBusy('none'));
    } else if (params.wxerror) {
      setResidentError(WECHAT_WEB_ERRORS[params.wxerror] ?? WECHAT_WEB_ERRORS.failed!);
    }
    authApi
      .methods({ toast: false })
      .then((m) => {
        setMethods(m);
        setDevLogin(m.devLogin ? 'offered' : 'not-offered');
      })
      // Unknown (weak network): keep the button; the server still has the last word.
      .catch(() => setDevLogin('offered'));
  });

  const residentLogin = async () => {
    if (busy !== 'none') return;
    setBusy('resident');
    setResidentError('');
    try {
      if (IS_H5) {
        afterLogin(await authApi.devLogin({ openid: DEMO_RESIDENTS[demoIndex] }, { toast: false }));
      } else {
        const { code } = await Taro.login();
        afterLogin(await authApi.wechatLogin({ code }, { toast: false }));
      }
    } catch (e) {
      setResidentError(errorMessage(e));
    } finally {
      setBusy('none');
    }
  };

  const staffLogin = async () => {
    if (busy !== 'none') return;
    if (!username.trim() || !password) {
      setStaffError('请输入用户名和密码');
      return;
    }
    setBusy('staff');
    setStaffError('');
    try {
      afterLogin(await authApi.passwordLogin({ username: username.trim(), password }, { toast: false }));
    } catch (e) {
      // Keep what was typed so the user only fixes the wrong part.
      setStaffError(errorMessage(e));
    } finally {
      setBusy('none');
    }
  };

  return (
    <View className={pageClass}>
      <View className='login__brand'>
        <Text className='login__title'>县融</Text>
        <Text className='login__subtitle'>县级融媒体中心 · 居民服务平台</Text>
      </View>
      {demo ? <DemoBadge hint='演示系统：演示账号的密码已公开，任何人都可以登录任何演示账号，请勿填写真实个人信息' /> : null}

      <View className='card'>
        <Text className='card__title'>居民登录</Text>
        {IS_H5 && devLogin === 'unknown' ? <Text className='text-muted'>加载中…</Text> : null}
        {IS_H5 && methods?.wechatWeb ? (
          <Button className='btn btn--primary' loading={busy === 'resident'} onClick={startWechatWeb}>
            微信登录
          </Button>
        ) : null}
        {IS_H5 && devLogin === 'not-offered' && !methods?.wechatWeb ? <Text className='text-muted'>居民请在微信中搜索本县小程序，使用微信一键登录。</Text> : null}
        {IS_H5 && devLogin === 'offered' ? (
          <View>
            <Picker
              mode='selector'
              range={DEMO_RESIDENTS}
              value={demoIndex}
              onChange={(e) => setDemoIndex(Number(e.detail.value))}
            >
              <View className='login__picker'>
                <Text>演示账号：{DEMO_RESIDENTS[demoIndex]}</Text>
                <Text className='login__picker-hint'>点击更换</Text>
              </View>
            </Picker>
            <Button className='btn btn--primary' loading={busy === 'resident'} onClick={residentLogin}>
              演示居民登录
            </Button>
          </View>
        ) : null}
        {!IS_H5 ? (
          <Button className='btn btn--primary' loading={busy === 'resident'} onClick={residentLogin}>
            微信一键登录
          </Button>
        ) : null}
        {residentError ? <Text className='login__error'>{residentError}</Text> : null}
      </View>

      <View className='card'>
        <Text className='card__title'>工作人员登录</Text>
        <Text className='login__label'>用户名</Text>
        <Input
          className='login__input'
          type='text'
          placeholder='请输入用户名'
          value={username}
          onInput={(e) => setUsername(e.detail.value)}
        />
        <Text className='login__label'>密码</Text>
        <Input
          className='login__input'
          password
          placeholder='请输入密码'
          value={password}
          onInput={(e) => setPassword(e.detail.value)}
          onConfirm={staffLogin}
        />
        {staffError ? <Text className='login__error'>{staffError}</Text> : null}
        <Button className='btn btn--secondary' loading={busy === 'staff'} onClick={staffLogin}>
          工作人员登录
        </Button>
      </View>
    </View>
  );
}
