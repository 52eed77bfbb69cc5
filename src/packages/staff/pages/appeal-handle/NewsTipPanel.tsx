// 转为新闻线索: a dispatcher deciding on a submitted appeal that is really a news clue (a festival,
// a good deed) sends it to the newsroom: the appeal is refused (不予受理, 属于新闻线索，已转编辑部;
// the reporter is told by the appeal's own message) and the newsroom gets a tip of it. Sent with the
// version the page shows, so a decision made on an outdated page is a 409 and the page reloads.
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { tipsApi } from '../../../../api/endpoints';
import type { AppealDetail } from '../../../../api/types';
import { NoteDecisionForm } from './NoteDecisionForm';
import './AppealActionForm.scss';

const NOTE_MAX = 200;

export function NewsTipPanel({ appeal, onDone }: { appeal: AppealDetail; onDone: () => void }) {
  const [open, setOpen] = useState(false);

  // The dispatcher's decision on a submitted appeal: where the server offers 不予受理.
  if (appeal.state !== 'submitted' || !appeal.allowedActions.includes('reject')) return null;

  const send = async (note: string) => {
    const done = await tipsApi.fromAppeal(note ? { appealId: appeal.id, version: appeal.version, note } : { appealId: appeal.id, version: appeal.version });
    void Taro.showToast({ title: `已转编辑部 ${done.tipLabel}`, icon: 'success' });
    onDone();
  };

  return (
    <View className='card'>
      <Text className='card__title'>新闻线索</Text>
      {!open ? (
        <>
          <Text className='appeal-form__hint'>不需要政府部门办理、适合新闻报道的内容，可转给融媒体中心编辑部。</Text>
          <Button className='btn btn--secondary' onClick={() => setOpen(true)}>
            转为新闻线索
          </Button>
        </>
      ) : (
        <NoteDecisionForm
          hint='诉求将不予受理（原因：属于新闻线索，已转编辑部），反映人会收到通知；编辑部看不到反映人的姓名和电话。'
          label='给编辑部的说明（选填）'
          placeholder='如：适合做周末文化报道'
          max={NOTE_MAX}
          check={(n) => (n.length === 1 ? '说明至少2个字，或不填' : null)}
          submitLabel='确认转为新闻线索'
          send={send}
          onClose={() => setOpen(false)}
          onStale={onDone}
        />
      )}
    </View>
  );
}
