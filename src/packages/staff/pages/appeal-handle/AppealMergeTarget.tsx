// 合并: choose the appeal this one duplicates. Offers open appeals of the same category in the same
// region, or finds one by its number (read aloud over the phone or pasted from a chat).
import { useEffect, useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import { appealsApi, regionsApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { AppealDetail, AppealSummary } from '../../../../api/types';
import { LoadingState } from '../../../../components/StateView';

/** States an appeal can be merged into: still open, or answered (the duplicate then shares the answer). */
const TARGET_STATES = 'submitted,accepted,assigned,in_progress,replied';
export const normalizeNumber = (s: string) => s.trim().toUpperCase().replace(/\s+/g, '');

/** The community of a grid (the list's region filter takes a subtree); a community is itself. */
async function communityOf(regionId: string): Promise<string> {
  const r = await regionsApi.get(regionId, { toast: false });
  return r.level === 'grid' && r.parentId ? r.parentId : regionId;
}

/** An appeal in the caller's scope by its ticket number (the list's number filter). */
async function findByNumber(number: string): Promise<AppealSummary | null> {
  const page = await appealsApi.list({ view: 'inbox', state: TARGET_STATES, number, limit: 1 }, { toast: false });
  return page.items[0] ?? null;
}

export function AppealMergeTarget({ appeal, value, onChange }: { appeal: AppealDetail; value: AppealSummary | null; onChange: (a: AppealSummary | null) => void }) {
  const [candidates, setCandidates] = useState<AppealSummary[] | null>(null);
  const [listError, setListError] = useState('');
  const [number, setNumber] = useState('');
  const [searching, setSearching] = useState(false);
  const [searchMessage, setSearchMessage] = useState('');

  useEffect(() => {
    let live = true;
    // Duplicates come from anywhere in the community: an appeal filed for a grid searches its community.
    communityOf(appeal.regionId)
      .then((regionId) => appealsApi.list({ view: 'inbox', state: TARGET_STATES, categoryId: appeal.categoryId ?? undefined, regionId, limit: 20 }, { toast: false }))
      .then((page) => {
        if (live) setCandidates(page.items.filter((a) => a.id !== appeal.id));
      })
      .catch((e: unknown) => {
        if (live) {
          setCandidates([]);
          setListError(errorMessage(e));
        }
      });
    return () => {
      live = false;
    };
  }, [appeal.id, appeal.categoryId, appeal.regionId]);

  const search = async () => {
    const wanted = normalizeNumber(number);
    setSearchMessage('');
    if (!wanted) {
      setSearchMessage('请输入诉求编号');
      return;
    }
    if (wanted === appeal.number) {
      setSearchMessage('不能合并到本诉求自己');
      return;
    }
    const known = candidates?.find((a) => a.number === wanted);
    if (known) {
      onChange(known);
      return;
    }
    setSearching(true);
    try {
      const found = await findByNumber(wanted);
      if (found) onChange(found);
      else setSearchMessage(`没有找到编号为 ${wanted} 的诉求（只能合并到您负责范围内、尚未办结的诉求）`);
    } catch (e) {
      setSearchMessage(`查找失败：${errorMessage(e)}`);
    } finally {
      setSearching(false);
    }
  };

  return (
    <View className='merge-target'>
      <Text className='appeal-form__label'>合并到哪一件诉求</Text>
      {value ? (
        <View className='merge-target__chosen'>
          <Text className='merge-target__number'>已选：{value.number}</Text>
          <Text className='merge-target__excerpt'>{value.excerpt}</Text>
        </View>
      ) : null}
      <Text className='appeal-form__hint'>同一区域、同一类别的诉求：</Text>
      {candidates === null ? <LoadingState /> : null}
      {listError ? <Text className='appeal-form__error'>加载失败：{listError}</Text> : null}
      {candidates !== null && candidates.length === 0 && !listError ? <Text className='appeal-form__hint'>没有可合并的相似诉求</Text> : null}
      {(candidates ?? []).map((a) => (
        <View
          key={a.id}
          className={`merge-target__item${value?.id === a.id ? ' merge-target__item--on' : ''}`}
          onClick={() => onChange(value?.id === a.id ? null : a)}
        >
          <Text className='merge-target__number'>
            {a.number} · {a.stateLabel}
          </Text>
          <Text className='merge-target__excerpt'>{a.excerpt}</Text>
        </View>
      ))}
      <Text className='appeal-form__hint'>或输入诉求编号：</Text>
      <View className='merge-target__search'>
        <Input className='appeal-form__input merge-target__input' value={number} placeholder='如 DX-20261126-0042' onInput={(e) => setNumber(e.detail.value)} onConfirm={() => void search()} />
        <Button className='merge-target__find' disabled={searching} onClick={() => void search()}>
          {searching ? '查找中…' : '查找'}
        </Button>
      </View>
      {searchMessage ? <Text className='appeal-form__error'>{searchMessage}</Text> : null}
    </View>
  );
}
