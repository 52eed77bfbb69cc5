// 转为新闻线索: a dispatcher deciding on a submitted appeal that is really a news clue (a festival,
// a good deed) sends it to the newsroom: the appeal is refused (不予受理, 属于新闻线索，已转编辑部;
// the reporter is told by the appeal's own message) and the newsroom gets a tip of it. Sent with the
// version the page shows, so a decision made on an outdated page is a 409 and the page reloads.
import { useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { tipsApi } from '../../../../api/endpoints';
import { ApiError } from '../../../../api/request';
import type { AppealDetail } from '../../../../api/types';
import './AppealActionForm.scss';

const NOTE_MAX = 200;

export function NewsTipPanel({ appeal, onDone }: { appeal: AppealDetail; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  // The dispatcher's decision on a submitted appeal: where the server offers 不予受理.
  if (appeal.state !== 'submitted' || !appeal.allowedActions.includes('reject')) return null;

  const submit = async () => {
    const n = note.trim();
    if (n.length === 1) {
      setError('说明至少2个字，或不填');
      return;
    }
    setError('');
    setBusy(true);
    try {
      const done = await tipsApi.fromAppeal(n ? { appealId: appeal.id, version: appeal.version, note: n } : { appealId: appeal.id, version: appeal.version });
      setOpen(false);
      void Taro.showToast({ title: `已转编辑部 ${done.tipLabel}`, icon: 'success' });
      onDone();
    } catch (e) {
      // The wrapper toasted the reason. 409: changed meanwhile: show what it is now.
      if (e instanceof ApiError && e.status === 409) {
        setOpen(false);
        onDone();
      }
    } finally {
      setBusy(false);
    }
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
        <View className='appeal-form'>
          <Text className='appeal-form__hint'>诉求将不予受理（原因：属于新闻线索，已转编辑部），反映人会收到通知；编辑部看不到反映人的姓名和电话。</Text>
          <View className='appeal-form__field'>
            <Text className='appeal-form__label'>给编辑部的说明（选填）</Text>
            <Textarea className='appeal-form__textarea' value={note} maxlength={NOTE_MAX} placeholder='如：适合做周末文化报道' onInput={(e) => setNote(e.detail.value)} />
            <Text className='appeal-form__count'>{`${note.trim().length}/${NOTE_MAX}`}</Text>
          </View>
          {error ? <Text className='appeal-form__error'>{error}</Text> : null}
          <View className='appeal-form__buttons'>
            <Button className='btn btn--secondary appeal-form__cancel' disabled={busy} onClick={() => setOpen(false)}>
              取消
            </Button>
            <Button className='btn btn--primary appeal-form__submit' disabled={busy} onClick={() => void submit()}>
              {busy ? '提交中…' : '确认转为新闻线索'}
            </Button>
          </View>
        </View>
      )}
    </View>
  );
}
