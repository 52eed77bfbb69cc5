// 爆料线索: the newsroom's queue of residents' tips, one tab a state (待处理 / 已认领 / 已采用 /
// 未采用, `?state=` opens one), newest first, paged by cursor; read again on coming back from a tip
// (it may have moved on) and on pull-down. Tapping a tip opens tips-handle.
import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { tipsApi } from '../../../../api/endpoints';
import type { TipState, TipSummary } from '../../../../api/types';
import { usePageClass } from '../../../../hooks/use-page-class';
import { TIP_STATE_TABS, TipCard } from '../../../../pages/tip-detail/tip-view';
import { StateTabsList } from '../../components/StateTabsList';
import { staffPage } from '../../shared';
import './index.scss';

const PAGE_SIZE = 20;
const idOf = (t: TipSummary) => t.id;
const fetchTips = (state: TipState, cursor: string | undefined) => tipsApi.list({ view: 'queue', state, cursor, limit: PAGE_SIZE }, { toast: false });

export default function TipsQueuePage() {
  const pageClass = usePageClass('tips');
  return (
    <View className={pageClass}>
      <StateTabsList
        tabs={TIP_STATE_TABS}
        fetch={fetchTips}
        idOf={idOf}
        what='爆料'
        renderItem={(t) => <TipCard key={t.id} tip={t} onClick={() => void Taro.navigateTo({ url: staffPage('tips-handle', { id: t.id }) })} />}
      />
    </View>
  );
}
