// Open311 接口密钥 (admins): the keys outside systems file appeals with through the Open311
// GeoReport v2 API (/open311/v2), each with its system's name, the unit that runs it and an hourly
// limit. A new key is shown once, right after it is issued (only its hash is kept); revoking stops
// it at once. Appeals filed with a key carry the channel Open311 and enter the usual dispatch.
import { useCallback, useRef, useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { API_BASE } from '../../../../api/base';
import { open311Api } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { Open311Key } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { withPrivacy } from '../../../../utils/privacy';
import { chinaShortTime, parseInstant } from '../../../../../common/china-time';
import { isAdmin } from '../../shared';
import { EMPTY_KEY_FORM, checkKeyForm, issueBody, type KeyForm, type KeyFormErrors } from './form';
import './index.scss';

type Loaded = { status: 'loading' } | { status: 'ready'; items: Open311Key[] } | { status: 'error'; error: string };

const when = (iso: string | null) => {
  const at = iso ? parseInstant(iso) : null;
  return at === null ? '' : chinaShortTime(at);
};

const FIELDS: Array<{ key: keyof KeyForm; label: string; placeholder: string }> = [
  { key: 'name', label: '系统名称', placeholder: '如：市民随手拍 App' },
  { key: 'owner', label: '使用单位', placeholder: '如：县数据局' },
  { key: 'perHour', label: '每小时提交上限', placeholder: '1 到 10000，默认 100' },
];

export default function Open311KeysPage() {
  const pageClass = usePageClass('open311-keys');
  const user = useCurrentUser();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [form, setForm] = useState<KeyForm | null>(null);
  const [errors, setErrors] = useState<KeyFormErrors & { form?: string }>({});
  const [issued, setIssued] = useState<{ name: string; apiKey: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const res = await open311Api.keys({ toast: false });
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
    if (busy || !form) return;
    const found = checkKeyForm(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const res = await open311Api.issue(issueBody(form), { toast: false });
      setIssued({ name: res.key.name, apiKey: res.apiKey });
      setForm(null);
      await load();
    } catch (e) {
      setErrors({ form: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (k: Open311Key) => {
    const { confirm } = await Taro.showModal({ title: '吊销密钥', content: `吊销后「${k.name}」将立即无法提交诉求，且不能恢复，确定吗？`, confirmText: '吊销' });
    if (!confirm) return;
    try {
      await open311Api.revoke(k.id);
      void Taro.showToast({ title: '已吊销', icon: 'success' });
      await load();
    } catch {
      // The request wrapper has shown the reason.
    }
  };

  const copy = async (apiKey: string) => {
    try {
      await withPrivacy(() => Taro.setClipboardData({ data: apiKey }));
    } catch {
      void Taro.showToast({ title: '复制失败，请长按密钥手动复制', icon: 'none', duration: 2500 });
    }
  };

  if (!allowed) {
    return (
      <View className={pageClass}>
        <ErrorState message='只有管理员可以管理 Open311 接口密钥' />
      </View>
    );
  }

  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>Open311 接口</Text>
        <Text className='issued-keys__hint'>{`外部系统按 Open311 GeoReport v2 标准提交和查询诉求，地址：${API_BASE || '本站'}/open311/v2（如 /open311/v2/services.json）。提交时须带 api_key。`}</Text>
      </View>

      {issued ? (
        <View className='card'>
          <Text className='card__title'>{`「${issued.name}」的密钥`}</Text>
          <Text className='issued-keys__hint'>密钥只显示这一次，请立即复制并安全地交给对方；离开本页后无法再次查看，遗失只能吊销后重新签发。</Text>
          <Text className='issued-keys__secret' selectable>
            {issued.apiKey}
          </Text>
          <Button className='btn btn--primary' onClick={() => void copy(issued.apiKey)}>
            复制密钥
          </Button>
          <Button className='btn btn--secondary' onClick={() => setIssued(null)}>
            我已保存
          </Button>
        </View>
      ) : null}

      {form ? (
        <View className='card'>
          <Text className='card__title'>签发新密钥</Text>
          {FIELDS.map((f) => (
            <View key={f.key}>
              <Text className='issued-keys__label'>{f.label}</Text>
              <Input
                className='issued-keys__input'
                value={form[f.key]}
                type={f.key === 'perHour' ? 'number' : 'text'}
                placeholder={f.placeholder}
                onInput={(e) => {
                  setForm({ ...form, [f.key]: e.detail.value });
                  setErrors((prev) => ({ ...prev, [f.key]: undefined, form: undefined }));
                }}
              />
              {errors[f.key] ? <Text className='field-error'>{errors[f.key]}</Text> : null}
            </View>
          ))}
          {errors.form ? <Text className='field-error'>{errors.form}</Text> : null}
          <Button className='btn btn--primary' disabled={busy} onClick={() => void issue()}>
            {busy ? '签发中…' : '签发'}
          </Button>
          <Button className='btn btn--secondary' disabled={busy} onClick={() => setForm(null)}>
            取消
          </Button>
        </View>
      ) : (
        <Button
          className='btn btn--primary'
          onClick={() => {
            setForm(EMPTY_KEY_FORM);
            setErrors({});
          }}
        >
          签发新密钥
        </Button>
      )}

      {loaded.status === 'loading' ? <LoadingState /> : null}
      {loaded.status === 'error' ? <ErrorState message={`加载失败：${loaded.error}`} onRetry={() => void load()} /> : null}
      {loaded.status === 'ready' ? (
        <View className='card'>
          <Text className='card__title'>已签发的密钥</Text>
          {loaded.items.length === 0 ? (
            <EmptyState text='还没有签发密钥' />
          ) : (
            loaded.items.map((k) => (
              <View className={`issued-keys__row${k.revokedAt ? ' issued-keys__revoked' : ''}`} key={k.id}>
                <Text className='issued-keys__name'>{`${k.name}（${k.owner}）`}</Text>
                <Text className='list-row__sub'>{`密钥开头 ${k.prefix}…　每小时最多 ${k.perHour} 件`}</Text>
                <Text className='list-row__sub'>{`${k.createdByName} 签发于 ${when(k.createdAt)}　${k.lastUsedAt ? `最近使用 ${when(k.lastUsedAt)}` : '尚未使用'}`}</Text>
                {k.revokedAt ? (
                  <Text className='list-row__sub'>{`已吊销（${k.revokedByName ?? ''}，${when(k.revokedAt)}）`}</Text>
                ) : (
                  <Button className='btn btn--secondary' size='mini' onClick={() => void revoke(k)}>
                    吊销
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
