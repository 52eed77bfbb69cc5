// 评价 (回访): was it resolved, how satisfied, and an optional comment.
import { useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import type { MoveBodies } from '../../api/types';
import { COMMENT_MAX, SATISFACTION_OPTIONS, type SatisfactionValue } from '../../utils/appeal';

export interface RatePanelProps {
  busy: boolean;
  onSubmit: (body: MoveBodies['rate']) => void;
  onCancel: () => void;
}

export function RatePanel({ busy, onSubmit, onCancel }: RatePanelProps) {
  const [resolved, setResolved] = useState<boolean | null>(null);
  const [satisfaction, setSatisfaction] = useState<SatisfactionValue | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState('');

  const submit = () => {
    if (resolved === null) return setError('请选择问题是否已解决');
    if (!satisfaction) return setError('请选择满意程度');
    if (comment.trim().length > COMMENT_MAX) return setError(`评价内容最多${COMMENT_MAX}字`);
    setError('');
    onSubmit({ resolved, satisfaction, ...(comment.trim() ? { comment: comment.trim() } : {}) });
  };

  return (
    <View className='card action-panel'>
      <Text className='card__title'>评价办理结果</Text>
      <Text className='action-panel__label'>问题解决了吗？</Text>
      <View className='chips'>
        <Text className={`chip${resolved === true ? ' chip--on' : ''}`} onClick={() => setResolved(true)}>
          已解决
        </Text>
        <Text className={`chip${resolved === false ? ' chip--on' : ''}`} onClick={() => setResolved(false)}>
          未解决
        </Text>
      </View>
      <Text className='action-panel__label'>您满意吗？</Text>
      <View className='chips'>
        {SATISFACTION_OPTIONS.map((o) => (
          <Text className={`chip${satisfaction === o.value ? ' chip--on' : ''}`} key={o.value} onClick={() => setSatisfaction(o.value)}>
            {o.label}
          </Text>
        ))}
      </View>
      <Textarea className='action-panel__textarea' value={comment} maxlength={COMMENT_MAX} placeholder='想说的话（选填）' onInput={(e) => setComment(e.detail.value)} />
      {error ? <Text className='field-error'>{error}</Text> : null}
      <Button className='btn btn--primary' disabled={busy} onClick={submit}>
        {busy ? '正在提交…' : '提交评价'}
      </Button>
      <Button className='btn btn--secondary' disabled={busy} onClick={onCancel}>
        取消
      </Button>
    </View>
  );
}
