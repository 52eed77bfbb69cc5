// 议事管理: the consultations staff see, one tab a state (投票中 / 已结束 / 待审核; `?state=pending`
// opens the reviewers' queue, where a writer sees their own waiting ones and a reviewer all), newest
// first, paged by cursor, read again on coming back from one and on pull-down; 发起议事 for the
// writers. Tapping one opens consultation-handle.
import { Button, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { consultationsApi } from '../../../../api/endpoints';
import type { ConsultationSummary } from '../../../../api/types';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { ConsultationCard } from '../../../../pages/consultation-detail/consultation-view';
import { StateTabsList } from '../../components/StateTabsList';
import { staffPage } from '../../shared';
import { consultationScopes } from '../consultation-new/draft';
import './index.scss';

type DeskState = 'open' | 'closed' | 'pending';
export const DESK_TABS: ReadonlyArray<{ state: DeskState; label: string }> = [
  { state: 'open', label: '投票中' },
  { state: 'closed', label: '已结束' },
  { state: 'pending', label: '待审核' },
];
const PAGE_SIZE = 20;
const idOf = (c: ConsultationSummary) => c.id;
const fetchDesk = (state: DeskState, cursor: string | undefined) => consultationsApi.list({ state, cursor, limit: PAGE_SIZE }, { toast: false });

export default function ConsultationDeskPage() {
  const pageClass = usePageClass('consultation-desk');
  const user = useCurrentUser();
  return (
    <View className={pageClass}>
      {user && consultationScopes(user).length > 0 ? (
        <Button className='btn btn--primary' onClick={() => void Taro.navigateTo({ url: staffPage('consultation-new') })}>
          发起议事
        </Button>
      ) : null}
      <StateTabsList
        tabs={DESK_TABS}
        fetch={fetchDesk}
        idOf={idOf}
        what='议事'
        renderItem={(c) => <ConsultationCard key={c.id} item={c} onClick={() => void Taro.navigateTo({ url: staffPage('consultation-handle', { id: c.id }) })} />}
      />
    </View>
  );
}
