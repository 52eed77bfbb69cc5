// 群聊绑定: the group chats bound in my regions, and a one-time code per community to bind another
// (say `绑定 <code>` in the group; the bot redeems it). Admins may bind a group to any community.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { bindingsApi, regionsApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { BindingCode, BoundRoom, RegionSummary } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { regionLabel } from '../../../../utils/region';
import { BindingCodeCard } from '../../components/BindingCodeCard';
import { canBindRooms, isAdmin } from '../../shared';
import './index.scss';
import { usePageClass } from '../../../../hooks/use-page-class';
import { chinaLongDate, parseInstant } from '../../../../../common/china-time';

type Status = 'loading' | 'ready' | 'error';

function boundAtLabel(iso: string): string {
  const ms = parseInstant(iso);
  return ms === null ? '' : `${chinaLongDate(ms)}绑定`;
}

export default function RoomBindingPage() {
  const pageClass = usePageClass('room-binding');
  const user = useCurrentUser();
  const [status, setStatus] = useState<Status>('loading');
  const [error, setError] = useState('');
  const [rooms, setRooms] = useState<BoundRoom[]>([]);
  const generation = useRef(0);

  const [allCommunities, setAllCommunities] = useState<RegionSummary[] | null>(null);
  const [communitiesError, setCommunitiesError] = useState('');
  const [codes, setCodes] = useState<Record<string, BindingCode>>({});
  const [creating, setCreating] = useState<string | null>(null);

  const loadRooms = useCallback(async () => {
    const gen = ++generation.current;
    setStatus('loading');
    setError('');
    try {
      const res = await bindingsApi.listRooms({ toast: false });
      if (gen !== generation.current) return;
      setRooms(res.items);
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      setError(errorMessage(e));
      setStatus('error');
    }
  }, []);

  // Also on coming back from WeChat, where the code was just said in the group.
  useDidShow(() => void loadRooms());

  const admin = user ? isAdmin(user) : false;
  const loadAllCommunities = useCallback(async () => {
    setCommunitiesError('');
    try {
      // A county has a few hundred communities: read every page (100 is the server's page limit).
      const all: RegionSummary[] = [];
      for (let page = 1; ; page++) {
        const res = await regionsApi.list({ level: 'community', page: page > 1 ? page : undefined, pageSize: 100 }, { toast: false });
        all.push(...res.items.map((r) => ({ id: r.id, name: r.name, level: r.level, pathNames: r.pathNames })));
        if (res.items.length === 0 || all.length >= res.total) break;
      }
      setAllCommunities(all);
    } catch (e) {
      setCommunitiesError(errorMessage(e));
    }
  }, []);
  useEffect(() => {
    if (admin) void loadAllCommunities();
  }, [admin, loadAllCommunities]);

  const createCode = async (community: RegionSummary) => {
    if (creating) return;
    setCreating(community.id);
    try {
      const code = await bindingsApi.createCode({ type: 'room', regionId: community.id });
      setCodes((prev) => ({ ...prev, [community.id]: code }));
    } catch {
      // the request wrapper showed the reason as a toast
    } finally {
      setCreating(null);
    }
  };

  if (!user) return <View className={pageClass} />;

  const communities = admin ? allCommunities ?? [] : user.scopeRegions.filter((r) => r.level === 'community');

  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>已绑定的群聊</Text>
        {status === 'loading' ? <LoadingState /> : null}
        {status === 'error' ? <ErrorState message={`加载失败：${error}`} onRetry={() => void loadRooms()} /> : null}
        {status === 'ready' && rooms.length === 0 ? <EmptyState text='还没有绑定的群聊' /> : null}
        {status === 'ready'
          ? rooms.map((room) => (
              <View className='list-row' key={room.roomId}>
                <View className='list-row__main'>
                  <Text className='room-binding__topic'>{room.topic || '（未命名群聊）'}</Text>
                  <Text className='list-row__sub'>
                    {regionLabel(room.region)} · {boundAtLabel(room.boundAt)}
                  </Text>
                </View>
              </View>
            ))
          : null}
        <Button className='btn btn--secondary' disabled={status === 'loading'} onClick={() => void loadRooms()}>
          刷新列表
        </Button>
      </View>

      <View className='card'>
        <Text className='card__title'>绑定新的群聊</Text>
        <Text className='room-binding__help'>
          第一步：为社区生成绑定码。第二步：在要绑定的微信群里发送“绑定 绑定码”。第三步：回到这里点“刷新列表”。
        </Text>
        {canBindRooms(user) ? null : <Text className='text-muted'>只有社区工作人员和管理员可以绑定群聊。</Text>}
        {canBindRooms(user) && admin && allCommunities === null && !communitiesError ? <LoadingState /> : null}
        {communitiesError ? <ErrorState message={`社区列表加载失败：${communitiesError}`} onRetry={() => void loadAllCommunities()} /> : null}
        {canBindRooms(user) && communities.length === 0 && (!admin || allCommunities !== null) ? (
          <EmptyState text='您没有负责的社区' />
        ) : null}
        {canBindRooms(user)
          ? communities.map((community) => {
              const code = codes[community.id];
              return (
                <View className='room-binding__community' key={community.id}>
                  <Text className='room-binding__community-name'>{regionLabel(community)}</Text>
                  <Button
                    className={code ? 'btn btn--secondary' : 'btn btn--primary'}
                    disabled={creating !== null}
                    onClick={() => void createCode(community)}
                  >
                    {creating === community.id ? '正在生成…' : code ? '重新生成绑定码' : '生成绑定码'}
                  </Button>
                  {code ? (
                    <BindingCodeCard code={code} sendTo='请在要绑定的微信群里发送：' />
                  ) : null}
                </View>
              );
            })
          : null}
      </View>
    </View>
  );
}
