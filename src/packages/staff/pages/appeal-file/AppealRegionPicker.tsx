// Where a filed appeal happens, chosen inside the staff member's own regions: a grid worker picks
// one of their grids; a dispatcher drills down from their township (or the county) to a community
// (社区/村) and, if known, its grid (网格).
import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { regionsApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { RegionLevel, RegionSummary } from '../../../../api/types';
import { ErrorState, LoadingState } from '../../../../components/StateView';
import { regionLabel } from '../../../../utils/region';
import './AppealRegionPicker.scss';

/** An appeal is filed for a community or a grid in it (CreateAppealBody.regionId). */
export const FILABLE_LEVELS: readonly RegionLevel[] = ['community', 'grid'];
const filable = (r: RegionSummary | undefined) => Boolean(r && FILABLE_LEVELS.includes(r.level));

const CHILD_PROMPT: Record<RegionLevel, string> = {
  county: '选择乡镇/街道',
  township: '选择社区/村',
  community: '网格（选填）',
  grid: '',
};

export interface AppealRegionPickerProps {
  /** The staff member's regions (Me.scopeRegions): where the drill-down starts. */
  roots: RegionSummary[];
  /** The chosen community or grid, with the trail that led to it (to show and to go back). */
  trail: RegionSummary[];
  onChange: (trail: RegionSummary[]) => void;
}

/** The region an appeal would be filed for, or null until a community or grid is chosen. */
export const chosenRegion = (trail: RegionSummary[]): RegionSummary | null => {
  const last = trail[trail.length - 1];
  return last && filable(last) ? last : null;
};

export function AppealRegionPicker({ roots, trail, onChange }: AppealRegionPickerProps) {
  const current = trail[trail.length - 1];
  const [children, setChildren] = useState<RegionSummary[] | null>(null);
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setChildren(null);
    setError('');
    if (!current || current.level === 'grid') return;
    let live = true;
    // A township has a few dozen communities, a community a handful of grids: one page of 100.
    regionsApi
      .list({ parentId: current.id, pageSize: 100 }, { toast: false })
      .then((res) => live && setChildren(res.items.map((r) => ({ id: r.id, name: r.name, level: r.level, pathNames: r.pathNames }))))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [current?.id, current?.level, attempt]);

  if (!current) {
    if (roots.length === 0) return <Text className='text-muted'>您没有负责的区域，无法代报</Text>;
    return (
      <View className='region-pick'>
        <View className='chips'>
          {roots.map((r) => (
            <Text key={r.id} className='chip' onClick={() => onChange([r])}>
              {filable(r) ? regionLabel(r) : r.name}
            </Text>
          ))}
        </View>
      </View>
    );
  }

  const chosen = chosenRegion(trail);
  return (
    <View className='region-pick'>
      <View className='region-pick__trail'>
        <Text className='region-pick__crumb region-pick__link' onClick={() => onChange([])}>
          {roots.length > 1 ? '全部' : '重选'}
        </Text>
        {trail.map((r, i) => (
          <Text key={r.id} className={`region-pick__crumb${i < trail.length - 1 ? ' region-pick__link' : ' region-pick__crumb--current'}`} onClick={() => onChange(trail.slice(0, i + 1))}>
            {' › '}
            {r.name}
          </Text>
        ))}
      </View>
      {chosen ? <Text className='region-pick__chosen'>已选：{regionLabel(chosen)}</Text> : null}
      {current.level !== 'grid' ? (
        <>
          <Text className='region-pick__prompt'>{CHILD_PROMPT[current.level]}</Text>
          {children === null && !error ? <LoadingState /> : null}
          {error ? <ErrorState message={`加载失败：${error}`} onRetry={() => setAttempt((n) => n + 1)} /> : null}
          {children !== null && children.length === 0 ? <Text className='text-muted'>{current.level === 'community' ? '该社区没有划分网格' : '下面没有区域'}</Text> : null}
          <View className='chips'>
            {(children ?? []).map((r) => (
              <Text key={r.id} className='chip' onClick={() => onChange([...trail, r])}>
                {r.name}
              </Text>
            ))}
          </View>
        </>
      ) : null}
    </View>
  );
}
