// 撤下公开: a dispatcher takes an answered public appeal off the board (公开诉求), saying why; the
// request carries the version the page shows, so a decision made on an outdated page is a 409 and
// the page reloads. Once taken off, staff see when, by whom and why.
import { useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { appealsApi } from '../../../../api/endpoints';
import { ApiError } from '../../../../api/request';
import type { AppealDetail } from '../../../../api/types';
import { shortTime } from '../../shared';
import './AppealActionForm.scss';

const REASON_MIN = 2;
const REASON_MAX = 200;

export function UnpublishPanel({ appeal, onDone, onStale }: { appeal: AppealDetail; onDone: (a: AppealDetail) => void; onStale: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const removed = appeal.boardRemoved;

  if (removed) {
    return (
      <View className='card'>
        <Text className='card__title'>已撤下公开</Text>
        <Text className='appeal-form__hint'>{`${removed.byName} 于 ${shortTime(removed.at)} 撤下`}</Text>
        <Text className='appeal-form__label'>{`原因：${removed.reason}`}</Text>
      </View>
    );
  }
  if (!appeal.allowedActions.includes('unpublish')) return null;

  const submit = async () => {
    const r = reason.trim();
    if (r.length < REASON_MIN) {
      setError(`请填写撤下原因（至少${REASON_MIN}个字）`);
      return;
    }
    setError('');
    setBusy(true);
    try {
      const next = await appealsApi.unpublish(appeal.id, { reason: r, version: appeal.version });
      setOpen(false);
      onDone(next);
      void Taro.showToast({ title: '已撤下', icon: 'success' });
    } catch (e) {
      // The wrapper toasted the reason. 409: changed meanwhile: show what it is now.
      if (e instanceof ApiError && e.status === 409) {
        setOpen(false);
        onStale();
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='card'>
      <Text className='card__title'>公开诉求</Text>
      <Text className='appeal-form__hint'>该诉求已答复，正在「公开诉求」中向所有人展示（个人信息已隐去）。</Text>
      {!open ? (
        <Button className='btn btn--secondary' onClick={() => setOpen(true)}>
          撤下公开
        </Button>
      ) : (
        <View className='appeal-form'>
          <View className='appeal-form__field'>
            <Text className='appeal-form__label'>撤下原因（记入办理记录，反映人可见）</Text>
            <Textarea className='appeal-form__textarea' value={reason} maxlength={REASON_MAX} placeholder='如：内容涉及他人隐私' onInput={(e) => setReason(e.detail.value)} />
            <Text className='appeal-form__count'>{`${reason.trim().length}/${REASON_MAX}`}</Text>
          </View>
          {error ? <Text className='appeal-form__error'>{error}</Text> : null}
          <View className='appeal-form__buttons'>
            <Button className='btn btn--secondary appeal-form__cancel' disabled={busy} onClick={() => setOpen(false)}>
              取消
            </Button>
            <Button className='btn btn--primary appeal-form__submit' disabled={busy} onClick={() => void submit()}>
              {busy ? '提交中…' : '确认撤下'}
            </Button>
          </View>
        </View>
      )}
    </View>
  );
}
