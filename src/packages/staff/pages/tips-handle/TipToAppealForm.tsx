// 转为诉求: the form of a tip that is really an appeal. Where it happens (a community, or a grid in
// it, with the region picker of 代报, starting from the editor's regions or else the county), its
// kind, and its category when the editor knows it (without one a dispatcher sorts it). The page adds
// the version it shows; the tipster becomes the appeal's reporter and hears of it.
import { useEffect, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import { categoriesApi, regionsApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { AppealKind, Category, RegionSummary, TipDetail, TipMovesInput } from '../../../../api/types';
import { LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { CategoryChooser } from '../../../../pages/appeal-new/CategoryChooser';
import { KIND_OPTIONS } from '../../../../utils/appeal';
import { AppealRegionPicker, chosenRegion } from '../appeal-file/AppealRegionPicker';

export type ToAppealBody = Omit<TipMovesInput['to_appeal'], 'version'>;

interface Props {
  tip: TipDetail;
  busy: boolean;
  /** The server's refusal of what was sent (400 and the like), under the form. */
  error: string;
  onSubmit: (body: ToAppealBody) => void;
  onCancel: () => void;
}

/** Where the drill-down starts: the editor's own regions, or the county for a county-wide newsroom. */
function useRoots(own: RegionSummary[]): { roots: RegionSummary[] | null; error: string } {
  const [county, setCounty] = useState<RegionSummary[] | null>(own.length > 0 ? own : null);
  const [error, setError] = useState('');
  useEffect(() => {
    if (own.length > 0) return;
    regionsApi
      .list({ level: 'county' }, { toast: false })
      .then((res) => setCounty(res.items.map((r) => ({ id: r.id, name: r.name, level: r.level, pathNames: r.pathNames }))))
      .catch((e: unknown) => setError(`区域加载失败：${errorMessage(e)}`));
  }, [own.length]);
  return { roots: own.length > 0 ? own : county, error };
}

export function TipToAppealForm({ tip, busy, error, onSubmit, onCancel }: Props) {
  const user = useCurrentUser();
  const { roots, error: rootsError } = useRoots(user?.scopeRegions ?? []);
  const [trail, setTrail] = useState<RegionSummary[]>([]);
  const [kind, setKind] = useState<AppealKind | null>(null);
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [problem, setProblem] = useState('');

  useEffect(() => {
    categoriesApi
      .list({ toast: false })
      .then((res) => setCategories(res.items))
      .catch((e: unknown) => setProblem(`分类加载失败：${errorMessage(e)}`));
  }, []);

  const send = () => {
    const region = chosenRegion(trail);
    if (!region) return setProblem('请选择诉求所在的社区/村或网格');
    if (!kind) return setProblem('请选择诉求类型');
    setProblem('');
    return onSubmit(categoryId ? { regionId: region.id, kind, categoryId } : { regionId: region.id, kind });
  };

  return (
    <View className='tip-move tip-to-appeal'>
      <Text className='news-hint'>
        {tip.mayContact ? '爆料人将作为反映人，诉求不公开。' : '爆料人不希望被联系：诉求以匿名提交，不带姓名和电话，也不公开。'}
      </Text>
      <Text className='news-label'>诉求所在社区/村或网格</Text>
      {rootsError ? <Text className='field-error'>{rootsError}</Text> : null}
      {roots === null && !rootsError ? <LoadingState /> : null}
      {roots ? <AppealRegionPicker roots={roots} trail={trail} onChange={setTrail} /> : null}
      <Text className='news-label'>诉求类型</Text>
      <View className='chips'>
        {KIND_OPTIONS.map((k) => (
          <Text key={k.value} className={`chip${kind === k.value ? ' chip--on' : ''}`} onClick={() => setKind(k.value)}>
            {k.label}
          </Text>
        ))}
      </View>
      <Text className='news-label'>诉求分类（选填，不选由调度员分类）</Text>
      {categories ? <CategoryChooser categories={categories} value={categoryId} onChange={(id) => setCategoryId(id === categoryId ? null : id)} /> : <LoadingState />}
      {problem ? <Text className='field-error'>{problem}</Text> : null}
      {error ? <Text className='field-error'>{error}</Text> : null}
      <View className='news-buttons'>
        <Button className='btn btn--secondary news-button' disabled={busy} onClick={onCancel}>
          取消
        </Button>
        <Button className='btn btn--primary news-button' disabled={busy} onClick={send}>
          {busy ? '提交中…' : '确定转为诉求'}
        </Button>
      </View>
    </View>
  );
}
