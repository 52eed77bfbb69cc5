// 服务目录管理 (admins): every entry of the services directory, the inactive ones too; add one, or
// tap one to edit it (name, group, phone, hours, address, the keywords the group-chat bot answers
// by, and 启用). The 服务 tab and the bot read the same list.
import { useCallback, useRef, useState } from 'react';
import { Button, Input, Switch, Text, Textarea, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { servicesApi } from '../../../../api/endpoints';
import { ApiError, errorMessage } from '../../../../api/request';
import type { ServiceEntry } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { groupServices } from '../../../../pages/services/grouping';
import { isAdmin } from '../../shared';
import { EMPTY_FORM, checkServiceForm, createBody, formOf, serverErrors, updateBody, type ServiceField, type ServiceForm, type ServiceFormErrors } from './form';
import './index.scss';

type Loaded = { status: 'loading' } | { status: 'ready'; items: ServiceEntry[] } | { status: 'error'; error: string };
/** The form is open for a new entry (id null) or for the entry with that id. */
type Editing = { id: string | null } | null;

const FIELDS: Array<{ key: Exclude<ServiceField, 'form'>; label: string; placeholder: string; long?: boolean }> = [
  { key: 'name', label: '名称', placeholder: '如：县政务服务中心' },
  { key: 'group', label: '分组', placeholder: '如：政务服务、公共事业、医疗' },
  { key: 'phone', label: '电话', placeholder: '手机、座机（如0871-6123456）或短号' },
  { key: 'hours', label: '办公时间', placeholder: '如：工作日 8:30-12:00，14:30-17:30' },
  { key: 'address', label: '地址', placeholder: '如：县城人民路1号' },
  { key: 'keywords', label: '关键词', placeholder: '用逗号或空格分隔，如：停水 水费 自来水' },
  { key: 'note', label: '备注', placeholder: '选填', long: true },
];

export default function ServicesAdminPage() {
  const pageClass = usePageClass('services-admin');
  const user = useCurrentUser();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [editing, setEditing] = useState<Editing>(null);
  const [form, setForm] = useState<ServiceForm>(EMPTY_FORM);
  const [errors, setErrors] = useState<ServiceFormErrors>({});
  const [busy, setBusy] = useState(false);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const res = await servicesApi.list({ all: 'true' }, { toast: false });
      if (gen === generation.current) setLoaded({ status: 'ready', items: res.items });
    } catch (e) {
      if (gen === generation.current) setLoaded({ status: 'error', error: errorMessage(e) });
    }
  }, []);
  useDidShow(() => void load());

  const open = (entry: ServiceEntry | null) => {
    setEditing({ id: entry?.id ?? null });
    setForm(entry ? formOf(entry) : EMPTY_FORM);
    setErrors({});
  };
  const close = () => {
    setEditing(null);
    setErrors({});
  };
  const update = (patch: Partial<ServiceForm>) => {
    setForm((prev) => ({ ...prev, ...patch }));
    setErrors((prev) => {
      const left = { ...prev, form: undefined };
      for (const k of Object.keys(patch)) delete left[k as ServiceField];
      return left;
    });
  };

  const save = async () => {
    if (busy || !editing) return;
    const found = checkServiceForm(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      if (editing.id) await servicesApi.update(editing.id, updateBody(form), { toast: false });
      else await servicesApi.create(createBody(form), { toast: false });
      void Taro.showToast({ title: '已保存', icon: 'success' });
      close();
      await load();
    } catch (e) {
      setErrors(e instanceof ApiError && e.status !== 0 ? serverErrors(e.status, e.message, e.details) : { form: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  if (user && !isAdmin(user)) {
    return (
      <View className={pageClass}>
        <EmptyState text='仅管理员可以管理服务目录' />
      </View>
    );
  }

  if (editing) {
    return (
      <View className={pageClass}>
        <View className='card'>
          <Text className='card__title'>{editing.id ? '修改服务' : '新增服务'}</Text>
          {FIELDS.map((f) => (
            <View key={f.key}>
              <Text className='services-admin__label'>{f.label}</Text>
              {f.long ? (
                <Textarea className='services-admin__input services-admin__input--long' value={form[f.key]} placeholder={f.placeholder} maxlength={200} onInput={(e) => update({ [f.key]: e.detail.value })} />
              ) : (
                <Input className='services-admin__input' value={form[f.key]} placeholder={f.placeholder} onInput={(e) => update({ [f.key]: e.detail.value })} />
              )}
              {errors[f.key] ? <Text className='field-error'>{errors[f.key]}</Text> : null}
            </View>
          ))}
          {editing.id ? (
            <View className='services-admin__switch'>
              <Text>{form.active ? '启用：在服务页显示，机器人会回答' : '已停用：不显示，机器人不回答'}</Text>
              <Switch checked={form.active} onChange={(e) => update({ active: e.detail.value })} />
            </View>
          ) : null}
          {errors.form ? <Text className='field-error'>{errors.form}</Text> : null}
        </View>
        <Button className='btn btn--primary' disabled={busy} onClick={() => void save()}>
          {busy ? '保存中…' : '保存'}
        </Button>
        <Button className='btn btn--secondary' disabled={busy} onClick={close}>
          取消
        </Button>
      </View>
    );
  }

  return (
    <View className={pageClass}>
      <Button className='btn btn--primary services-admin__add' onClick={() => open(null)}>
        新增服务
      </Button>
      {loaded.status === 'loading' ? <LoadingState /> : null}
      {loaded.status === 'error' ? <ErrorState message={`加载失败：${loaded.error}`} onRetry={() => void load()} /> : null}
      {loaded.status === 'ready' && loaded.items.length === 0 ? <EmptyState text='还没有服务条目' /> : null}
      {loaded.status === 'ready'
        ? groupServices(loaded.items).map((group) => (
            <View className='card' key={group.title}>
              <Text className='card__title'>{group.title}</Text>
              {group.entries.map((e) => (
                <View className='list-row' key={e.id} onClick={() => open(e)}>
                  <View className='list-row__main'>
                    <Text className='services-admin__name'>{e.name}</Text>
                    <Text className='list-row__sub'>{[e.phone, e.keywords.length ? `关键词：${e.keywords.join('、')}` : ''].filter(Boolean).join('  ')}</Text>
                  </View>
                  {e.active ? null : <Text className='tag'>已停用</Text>}
                  <Text className='list-row__arrow'>›</Text>
                </View>
              ))}
            </View>
          ))
        : null}
    </View>
  );
}
