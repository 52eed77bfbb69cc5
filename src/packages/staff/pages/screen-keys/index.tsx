// 大屏链接 (admins): one link per display in the media centre, so the 数据大屏 runs on its wall
// without anyone's sign-in. The link carries a key shown once, right after it is issued (only its
// hash is kept); 停用 stops that display at its next refresh. The key reads the county's dashboard
// and nothing else.
import { useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import { measuresApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { ScreenKey } from '../../../../api/types';
import { ErrorState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { IssuedKeyList, OnceShownSecret, confirmRevoke, keyTime, useIssuedKeys } from '../../components/IssuedKeys';
import { isAdmin } from '../../shared';
import './index.scss';

/** The display's address: the H5 dashboard page with the key (after `#`, so it is never sent in a request line). */
export function screenUrl(key: string): string {
  const origin = typeof window !== 'undefined' && window.location ? `${window.location.origin}${window.location.pathname}` : '';
  return `${origin}#/packages/staff/pages/dashboard/index?key=${encodeURIComponent(key)}`;
}

const fetchScreens = () => measuresApi.screens({ toast: false });

export default function ScreenKeysPage() {
  const pageClass = usePageClass('screen-keys');
  const user = useCurrentUser();
  const allowed = !user || isAdmin(user);
  const { loaded, load } = useIssuedKeys(fetchScreens, allowed);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [issued, setIssued] = useState<{ name: string; url: string } | null>(null);
  const [busy, setBusy] = useState(false);

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
    const revoked = await confirmRevoke({ title: '停用大屏链接', content: `停用后「${k.name}」将在下次刷新时停止显示，且不能恢复，确定吗？`, verb: '停用', revoke: () => measuresApi.revokeScreen(k.id) });
    if (revoked) await load();
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
        <OnceShownSecret
          title={`「${issued.name}」的链接`}
          hint='链接只显示这一次，请立即复制到大屏的浏览器中打开；遗失只能停用后重新生成。'
          secret={issued.url}
          what='链接'
          onDone={() => setIssued(null)}
        />
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

      <IssuedKeyList
        loaded={loaded}
        onRetry={() => void load()}
        title='已生成的链接'
        empty='还没有大屏链接'
        verb='停用'
        heading={(k) => k.name}
        lines={(k) => [`${k.createdByName} 生成于 ${keyTime(k.createdAt)}　${k.lastUsedAt ? `最近显示 ${keyTime(k.lastUsedAt)}` : '尚未打开'}`]}
        onRevoke={(k) => void revoke(k)}
      />
    </View>
  );
}
