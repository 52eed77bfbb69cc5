// 附近已有相同问题: open appeals of the same category in the same community. Joining one (同问)
// adds the resident to it instead of filing the same issue again.
import { Button, Text, View } from '@tarojs/components';
import type { AppealSummary } from '../../api/types';
import { AppealCard } from '../../components/AppealCard';

export interface SimilarPanelProps {
  items: AppealSummary[];
  busy: boolean;
  onFollow: (id: string) => void;
  onSubmitAnyway: () => void;
  onBack: () => void;
}

export function SimilarPanel({ items, busy, onFollow, onSubmitAnyway, onBack }: SimilarPanelProps) {
  return (
    <View className='card similar'>
      <Text className='card__title'>附近已有相同问题</Text>
      <Text className='similar__hint'>如果是同一件事，点「同问」就能一起跟进办理进度，不用重复提交。</Text>
      {items.map((a) => (
        <View className='similar__item' key={a.id}>
          <AppealCard appeal={a} />
          <Button className='btn btn--secondary similar__follow' disabled={busy} onClick={() => onFollow(a.id)}>
            同问
          </Button>
        </View>
      ))}
      <Button className='btn btn--primary' disabled={busy} onClick={onSubmitAnyway}>
        仍然提交
      </Button>
      <Button className='btn btn--secondary' disabled={busy} onClick={onBack}>
        返回修改
      </Button>
    </View>
  );
}
