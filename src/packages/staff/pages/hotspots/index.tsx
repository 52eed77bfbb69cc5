// 高频诉求: similar appeals piling up in one community within hours, as the server grouped them
// (server/hotspots), in the caller's regions; one tab a state (待处理 / 已合并 / 已忽略, `?state=`
// opens one), newest first, paged by cursor, read again on coming back from a group and on pull-down.
// Tapping one opens the group (hotspot). Admins also set the thresholds here.
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { hotspotsApi, type HotspotState, type HotspotSummary } from '../../../../api/hotspots';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { StateTabsList } from '../../components/StateTabsList';
import { isAdmin, shortTime, staffPage } from '../../shared';
import { HotspotSettingsCard } from './HotspotSettingsCard';
import './index.scss';

export const HOTSPOT_TABS: ReadonlyArray<{ state: HotspotState; label: string }> = [
  { state: 'open', label: '待处理' },
  { state: 'merged', label: '已合并' },
  { state: 'dismissed', label: '已忽略' },
];
const PAGE_SIZE = 20;
const idOf = (h: HotspotSummary) => h.id;
const fetchHotspots = (state: HotspotState, cursor: string | undefined) => hotspotsApi.list({ state, cursor, limit: PAGE_SIZE }, { toast: false });

/** 「西城社区 6小时内 5 件相似诉求（路灯不亮）」 as a card; the whole card is the touch target. */
export function HotspotCard({ hotspot, onClick }: { hotspot: HotspotSummary; onClick: () => void }) {
  return (
    <View className='card news-item' onClick={onClick}>
      <View className='hotspot-card__head'>
        <Text className='news-state'>{hotspot.stateLabel}</Text>
        <Text className='hotspot-card__count'>{`${hotspot.size} 件`}</Text>
      </View>
      <Text className='news-item__title'>{`${hotspot.regionName}：${hotspot.label}`}</Text>
      <Text className='news-item__meta'>{`${hotspot.windowHours}小时内相似诉求 · ${shortTime(hotspot.firstAt)} 至 ${shortTime(hotspot.lastAt)}`}</Text>
    </View>
  );
}

export default function HotspotsPage() {
  const pageClass = usePageClass('hotspots');
  const user = useCurrentUser();
  return (
    <View className={pageClass}>
      <StateTabsList
        tabs={HOTSPOT_TABS}
        fetch={fetchHotspots}
        idOf={idOf}
        what='高频诉求'
        renderItem={(h) => <HotspotCard key={h.id} hotspot={h} onClick={() => void Taro.navigateTo({ url: staffPage('hotspot', { id: h.id }) })} />}
      />
      {user && isAdmin(user) ? <HotspotSettingsCard /> : null}
    </View>
  );
}
