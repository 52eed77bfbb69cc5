// The 服务 tab: the county's services directory from the server (admins edit it; the group-chat bot
// answers from the same list), grouped under its headings, each office with a tap-to-call phone,
// its hours and address. A search box filters the list on the phone; pull down to read it again.
import { useCallback, useMemo, useRef, useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro, { useLoad, usePullDownRefresh } from '@tarojs/taro';
import { servicesApi } from '../../api/endpoints';
import { errorMessage } from '../../api/request';
import type { ServiceEntry } from '../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateView';
import { usePageClass } from '../../hooks/use-page-class';
import { dialable, filterServices, groupServices } from './grouping';
import './index.scss';

type Loaded = { status: 'loading' } | { status: 'ready'; items: ServiceEntry[]; refreshError: string } | { status: 'error'; error: string };

function call(phone: string) {
  Taro.makePhoneCall({ phoneNumber: dialable(phone) }).catch(() => undefined);
}

export default function ServicesPage() {
  const pageClass = usePageClass('services');
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [query, setQuery] = useState('');
  const generation = useRef(0);

  /** A failed refresh keeps the list on screen (with a note); a failed first load shows 重试. */
  const load = useCallback(async () => {
    const gen = ++generation.current;
    setLoaded((prev) => (prev.status === 'ready' ? prev : { status: 'loading' }));
    try {
      const res = await servicesApi.list({}, { toast: false });
      if (gen === generation.current) setLoaded({ status: 'ready', items: res.items, refreshError: '' });
    } catch (e) {
      if (gen !== generation.current) return;
      const error = errorMessage(e);
      setLoaded((prev) => (prev.status === 'ready' ? { ...prev, refreshError: error } : { status: 'error', error }));
    }
  }, []);

  useLoad(() => void load());
  usePullDownRefresh(() => {
    void load().finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });

  const groups = useMemo(() => (loaded.status === 'ready' ? groupServices(filterServices(loaded.items, query)) : []), [loaded, query]);

  return (
    <View className={pageClass}>
      <View className='services__search'>
        <Input className='services__input' value={query} placeholder='搜索：如 停水、社保、医院' confirmType='search' onInput={(e) => setQuery(e.detail.value)} />
        {query ? (
          <Text className='services__clear' onClick={() => setQuery('')}>
            清除
          </Text>
        ) : null}
      </View>

      {loaded.status === 'loading' ? <LoadingState /> : null}
      {loaded.status === 'error' ? <ErrorState message={`加载失败：${loaded.error}`} onRetry={() => void load()} /> : null}
      {loaded.status === 'ready' && loaded.refreshError ? (
        <View className='services__refresh-error'>
          <Text>{`刷新失败：${loaded.refreshError}`}</Text>
          <Button className='btn btn--secondary' onClick={() => void load()}>
            重试
          </Button>
        </View>
      ) : null}
      {loaded.status === 'ready' && loaded.items.length === 0 ? <EmptyState text='暂无服务电话' /> : null}
      {loaded.status === 'ready' && loaded.items.length > 0 && groups.length === 0 ? <EmptyState text={`没有找到与「${query.trim()}」有关的服务`} /> : null}

      {groups.map((group) => (
        <View className='card' key={group.title}>
          <Text className='card__title'>{group.title}</Text>
          {group.entries.map((entry) => (
            <View className='services__entry' key={entry.id}>
              <Text className='services__name'>{entry.name}</Text>
              <View className='services__call' onClick={() => call(entry.phone)}>
                <Text className='services__phone'>{entry.phone}</Text>
                <Text className='services__dial'>拨打</Text>
              </View>
              {entry.hours ? <Text className='services__line'>{`办公时间：${entry.hours}`}</Text> : null}
              {entry.address ? <Text className='services__line'>{`地址：${entry.address}`}</Text> : null}
              {entry.note ? <Text className='services__line services__note'>{entry.note}</Text> : null}
            </View>
          ))}
        </View>
      ))}

      <Text className='services__hint'>点击号码即可拨打。紧急情况请拨打 110 报警、119 火警、120 急救</Text>
    </View>
  );
}
