// Open311 接口密钥 (admins): the keys outside systems file appeals with through the Open311
// GeoReport v2 API (/open311/v2), each with its system's name, the unit that runs it and an hourly
// limit. A new key is shown once, right after it is issued (only its hash is kept); revoking stops
// it at once. Appeals filed with a key carry the channel Open311 and enter the usual dispatch.
import { useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import { API_BASE } from '../../../../api/base';
import { open311Api } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { Open311Key } from '../../../../api/types';
import { ErrorState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { IssuedKeyList, OnceShownSecret, confirmRevoke, keyTime, useIssuedKeys } from '../../components/IssuedKeys';
import { isAdmin } from '../../shared';
import { EMPTY_KEY_FORM, checkKeyForm, issueBody, type KeyForm, type KeyFormErrors } from './form';
import './index.scss';

const FIELDS: Array<{ key: keyof KeyForm; label: string; placeholder: string }> = [
  { key: 'name', label: '系统名称', placeholder: '如：市民随手拍 App' },
  { key: 'owner', label: '使用单位', placeholder: '如：县数据局' },
  { key: 'perHour', label: '每小时提交上限', placeholder: '1 到 10000，默认 100' },
];

const fetchKeys = () => open311Api.keys({ toast: false });

export default function Open311KeysPage() {
  const pageClass = usePageClass('open311-keys');
  const user = useCurrentUser();
  const allowed = !user || isAdmin(user);
  const { loaded, load } = useIssuedKeys(fetchKeys, allowed);
  const [form, setForm] = useState<KeyForm | null>(null);
  const [errors, setErrors] = useState<KeyFormErrors & { form?: string }>({});
  const [issued, setIssued] = useState<{ name: string; apiKey: string } | null>(null);
  const [busy, setBusy] = useState(false);

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
    const revoked = await confirmRevoke({ title: '吊销密钥', content: `吊销后「${k.name}」将立即无法提交诉求，且不能恢复，确定吗？`, verb: '吊销', revoke: () => open311Api.revoke(k.id) });
    if (revoked) await load();
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
        <OnceShownSecret
          title={`「${issued.name}」的密钥`}
          hint='密钥只显示这一次，请立即复制并安全地交给对方；离开本页后无法再次查看，遗失只能吊销后重新签发。'
          secret={issued.apiKey}
          what='密钥'
          onDone={() => setIssued(null)}
        />
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

      <IssuedKeyList
        loaded={loaded}
        onRetry={() => void load()}
        title='已签发的密钥'
        empty='还没有签发密钥'
        verb='吊销'
        heading={(k) => `${k.name}（${k.owner}）`}
        lines={(k) => [`密钥开头 ${k.prefix}…　每小时最多 ${k.perHour} 件`, `${k.createdByName} 签发于 ${keyTime(k.createdAt)}　${k.lastUsedAt ? `最近使用 ${keyTime(k.lastUsedAt)}` : '尚未使用'}`]}
        onRevoke={(k) => void revoke(k)}
      />
    </View>
  );
}
