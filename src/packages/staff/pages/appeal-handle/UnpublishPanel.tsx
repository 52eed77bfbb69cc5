// 撤下公开: a dispatcher takes an answered public appeal off the board (公开诉求), saying why; the
// request carries the version the page shows, so a decision made on an outdated page is a 409 and
// the page reloads. Once taken off, staff see when, by whom and why.
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { appealsApi } from '../../../../api/endpoints';
import type { AppealDetail } from '../../../../api/types';
import { shortTime } from '../../shared';
import { NoteDecisionForm } from './NoteDecisionForm';
import './AppealActionForm.scss';

const REASON_MIN = 2;
const REASON_MAX = 200;

export function UnpublishPanel({ appeal, onDone, onStale }: { appeal: AppealDetail; onDone: (a: AppealDetail) => void; onStale: () => void }) {
  const [open, setOpen] = useState(false);
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

  const send = async (reason: string) => {
    onDone(await appealsApi.unpublish(appeal.id, { reason, version: appeal.version }));
    void Taro.showToast({ title: '已撤下', icon: 'success' });
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
        <NoteDecisionForm
          label='撤下原因（记入办理记录，反映人可见）'
          placeholder='如：内容涉及他人隐私'
          max={REASON_MAX}
          check={(r) => (r.length < REASON_MIN ? `请填写撤下原因（至少${REASON_MIN}个字）` : null)}
          submitLabel='确认撤下'
          send={send}
          onClose={() => setOpen(false)}
          onStale={onStale}
        />
      )}
    </View>
  );
}
