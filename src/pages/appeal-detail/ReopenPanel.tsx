// 重新办理: the resident is not satisfied with the answer and says why (2-500 characters).
import { useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import { REASON_MAX, REASON_MIN } from '../../utils/appeal';

export function ReopenPanel({ busy, onSubmit, onCancel }: { busy: boolean; onSubmit: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');

  const submit = () => {
    const text = reason.trim();
    if (text.length < REASON_MIN) return setError('请写明需要重新办理的原因');
    if (text.length > REASON_MAX) return setError(`原因最多${REASON_MAX}字`);
    setError('');
    onSubmit(text);
  };

  return (
    <View className='card action-panel'>
      <Text className='card__title'>申请重新办理</Text>
      <Textarea className='action-panel__textarea' value={reason} maxlength={REASON_MAX} placeholder='哪里没有解决？请写明原因' onInput={(e) => setReason(e.detail.value)} />
      {error ? <Text className='field-error'>{error}</Text> : null}
      <Button className='btn btn--primary' disabled={busy} onClick={submit}>
        {busy ? '正在提交…' : '提交申请'}
      </Button>
      <Button className='btn btn--secondary' disabled={busy} onClick={onCancel}>
        取消
      </Button>
    </View>
  );
}
