// 大屏链接 (admins): one link per display in the media centre, so the 数据大屏 runs on its wall
// without anyone's sign-in. The link carries a key shown once, right after it is issued (only its
// hash is kept); 停用 stops that display at its next refresh. The key reads the county's dashboard
// and nothing else.
import { useCallback, useRef, useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { measuresApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { ScreenKey } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { withPrivacy } from '../../../../utils/privacy';
import { chinaShortTime, parseInstant } from '../../../../../common/china-time';
import { isAdmin } from '../../shared';
import './index.scss';

type Loaded = { status: 'loading' } | { status: 'ready'; items: ScreenKey[] } | { status: 'error'; error: string };

const when = (iso: string | null) => {
  const at = iso ? parseInstant(iso) : null;
  return at === null ? '' : chinaShortTime(at);
};

/** The display's address: the H5 dashboard page with the key (after `#`, so it is never sent in a request line). */
export function screenUrl(key: string): string {
  const origin = typeof window !== 'undefined' && window.location ? `${window.location.origin}${window.location.pathname}` : '';
  return `${origin}#/packages/staff/pages/dashboard/index?key=${encodeURIComponent(key)}`;
}

export default function ScreenKeysPage() {
  const pageClass = usePageClass('screen-keys');
  const user = useCurrentUser();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [issued, setIssued] = useState<{ name: string; url: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const res = await measuresApi.screens({ toast: false });
      if (gen === generation.current) setLoaded({ status: 'ready', items: res.items });
    } catch (e) {
      if (gen === generation.current) setLoaded({ status: 'error', error: errorMessage(e) });
    }
  }, []);
  const allowed = !user || isAdmin(user);
  useDidShow(() => {
    if (allowed) void load();
  });

  const issue = async () => {
    if (busy) return;
    const trimmed = name.trim();
    if (!trimmed) {
      setError('请填写大屏名称，如：融媒中心一楼大厅');
      return;
    }
    setBusy(true);
    try {
      const res = await measuresApi.issueScreen({ name: trimmed }, { toast: false });
      setIssued({ name: res.screen.name, url: screenUrl(res.key) });
      setName('');
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (k: ScreenKey) => {
    const { confirm } = await Taro.showModal({ title: '停用大屏链接', content: `停用后「${k.name}」将在下次刷新时停止显示，且不能恢复，确定吗？`, confirmText: '停用' });
    if (!confirm) return;
    try {
      await measuresApi.revokeScreen(k.id);
      void Taro.showToast({ title: '已停用', icon: 'success' });
      await load();
    } catch {
      // The request wrapper has shown the reason.
    }
  };

  const copy = async (url: string) => {
    try {
      await withPrivacy(() => Taro.setClipboardData({ data: url }));
    } catch {
      void Taro.showToast({ title: '复制失败，请长按链接手动复制', icon: 'none', duration: 2500 });
    }
  };

  if (!allowed) {
    return (
      <View className={pageClass}>
        <ErrorState message='只有管理员可以管理大屏链接' />
      </View>
    );
  }

  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>数据大屏链接</Text>
        <Text className='issued-keys__hint'>每块大屏一个链接：在大屏的浏览器里打开，即可显示全县数据大屏，无需任何人登录，每分钟自动刷新。链接只能查看大屏数据。</Text>
      </View>

      {issued ? (
        <View className='card'>
          <Text className='card__title'>{`「${issued.name}」的链接`}</Text>
          <Text className='issued-keys__hint'>链接只显示这一次，请立即复制到大屏的浏览器中打开；遗失只能停用后重新生成。</Text>
          <Text className='issued-keys__secret' selectable>
            {issued.url}
          </Text>
          <Button className='btn btn--primary' onClick={() => void copy(issued.url)}>
            复制链接
          </Button>
          <Button className='btn btn--secondary' onClick={() => setIssued(null)}>
            我已保存
          </Button>
        </View>
      ) : null}

      <View className='card'>
        <Text className='issued-keys__label'>大屏名称</Text>
        <Input
          className='issued-keys__input'
          value={name}
          placeholder='如：融媒中心一楼大厅'
          maxlength={40}
          onInput={(e) => {
            setName(e.detail.value);
            setError('');
          }}
        />
        {error ? <Text className='field-error'>{error}</Text> : null}
        <Button className='btn btn--primary' disabled={busy} onClick={() => void issue()}>
          {busy ? '生成中…' : '生成大屏链接'}
        </Button>
      </View>

      {loaded.status === 'loading' ? <LoadingState /> : null}
      {loaded.status === 'error' ? <ErrorState message={`加载失败：${loaded.error}`} onRetry={() => void load()} /> : null}
      {loaded.status === 'ready' ? (
        <View className='card'>
          <Text className='card__title'>已生成的链接</Text>
          {loaded.items.length === 0 ? (
            <EmptyState text='还没有大屏链接' />
          ) : (
            loaded.items.map((k) => (
              <View className={`issued-keys__row${k.revokedAt ? ' issued-keys__revoked' : ''}`} key={k.id}>
                <Text className='issued-keys__name'>{k.name}</Text>
                <Text className='list-row__sub'>{`${k.createdByName} 生成于 ${when(k.createdAt)}　${k.lastUsedAt ? `最近显示 ${when(k.lastUsedAt)}` : '尚未打开'}`}</Text>
                {k.revokedAt ? (
                  <Text className='list-row__sub'>{`已停用（${k.revokedByName ?? ''}，${when(k.revokedAt)}）`}</Text>
                ) : (
                  <Button className='btn btn--secondary' size='mini' onClick={() => void revoke(k)}>
                    停用
                  </Button>
                )}
              </View>
            ))
          )}
        </View>
      ) : null}
    </View>
  );
}
