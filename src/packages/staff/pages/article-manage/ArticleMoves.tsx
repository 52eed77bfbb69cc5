// The workflow buttons of article-manage: exactly the moves the server allows this person now
// (`allowedActions`), and the small form some need (a reason, a note, a publish time).
import { useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import type { ArticleAction, ArticleManageDetail, ArticleMovesInput } from '../../../../api/types';
import { NewsSchedule } from '../../components/NewsSchedule';
import { defaultSchedule, publishAtIso, scheduleError } from '../../components/NewsAccess';

/** A button on the page: 'edit' opens the editor; the others post a move. */
export type ArticleButton = 'approve' | 'reject' | 'schedule' | 'publish' | 'withdraw' | 'pin' | 'unpin' | 'edit' | 'submit';
const ORDER: readonly ArticleButton[] = ['approve', 'reject', 'submit', 'edit', 'schedule', 'publish', 'pin', 'unpin', 'withdraw'];

export function buttonLabel(b: ArticleButton, article: Pick<ArticleManageDetail, 'pinned'>): string {
  switch (b) {
    case 'approve':
      return '通过';
    case 'reject':
      return '退回';
    case 'schedule':
      return '定时';
    case 'publish':
      return '立即发布';
    case 'withdraw':
      return '撤回';
    case 'pin':
      return article.pinned ? '取消置顶' : '置顶';
    case 'unpin':
      return '取消置顶';
    case 'edit':
      return '修改';
    case 'submit':
      return '提交审核';
  }
}

/** The buttons to show, in a fixed order; 'pin' and 'unpin' together show one button. */
export function articleButtons(allowed: readonly ArticleAction[]): ArticleButton[] {
  const list = ORDER.filter((b) => (allowed as readonly string[]).includes(b));
  return list.includes('pin') && list.includes('unpin') ? list.filter((b) => b !== 'unpin') : list;
}

/** What one move sends: the endpoint's action and its body. */
export type ArticleMove = { [A in keyof ArticleMovesInput]: { action: A; body: ArticleMovesInput[A] } }[keyof ArticleMovesInput];

/** Moves that need nothing typed are sent straight from the button. */
export function immediateMove(b: ArticleButton, article: Pick<ArticleManageDetail, 'pinned'>): ArticleMove | null {
  if (b === 'pin') return { action: 'pin', body: { pinned: !article.pinned } };
  if (b === 'unpin') return { action: 'pin', body: { pinned: false } };
  return null;
}

export interface ArticleMoveFormProps {
  button: Exclude<ArticleButton, 'pin' | 'unpin' | 'edit'>;
  busy: boolean;
  /** A refusal the server explained (400), shown under the form. */
  error: string;
  onSubmit: (move: ArticleMove) => void;
  onCancel: () => void;
}

export function ArticleMoveForm({ button, busy, error, onSubmit, onCancel }: ArticleMoveFormProps) {
  const [text, setText] = useState('');
  const [when, setWhen] = useState(defaultSchedule);
  const [scheduled, setScheduled] = useState(button === 'schedule');
  const [problem, setProblem] = useState('');

  const needsReason = button === 'reject' || button === 'withdraw';
  const send = () => {
    const typed = text.trim();
    if (needsReason && typed.length < 2) {
      setProblem(button === 'reject' ? '请填写退回原因（至少2个字）' : '请填写撤回原因（至少2个字）');
      return;
    }
    if (scheduled) {
      const e = scheduleError(when.date, when.time);
      if (e) {
        setProblem(e);
        return;
      }
    }
    setProblem('');
    const publishAt = publishAtIso(when.date, when.time);
    if (button === 'approve') onSubmit({ action: 'approve', body: typed ? { note: typed } : {} });
    else if (button === 'reject') onSubmit({ action: 'reject', body: { reason: typed } });
    else if (button === 'withdraw') onSubmit({ action: 'withdraw', body: { reason: typed } });
    else if (button === 'schedule') onSubmit({ action: 'schedule', body: { publishAt } });
    else if (button === 'submit') onSubmit({ action: 'submit', body: { publishAt: scheduled ? publishAt : null } });
    else onSubmit({ action: 'publish', body: {} });
  };

  return (
    <View className='article-move'>
      {button === 'approve' ? <Text className='news-label'>审核意见（选填）</Text> : null}
      {button === 'reject' ? <Text className='news-label'>退回原因</Text> : null}
      {button === 'withdraw' ? <Text className='news-label'>撤回原因</Text> : null}
      {button === 'approve' || needsReason ? (
        <Textarea className='news-textarea' value={text} maxlength={200} placeholder={needsReason ? '必填，2到200个字' : '最多200个字'} onInput={(e) => setText(e.detail.value)} />
      ) : null}
      {button === 'publish' ? <Text className='news-hint'>确定立即发布？发布后读者即可看到。</Text> : null}
      {button === 'submit' ? (
        <View className='news-tabs'>
          <Text className={`news-tab news-tab--sub${scheduled ? '' : ' news-tab--on'}`} onClick={() => setScheduled(false)}>
            通过后立即发布
          </Text>
          <Text className={`news-tab news-tab--sub${scheduled ? ' news-tab--on' : ''}`} onClick={() => setScheduled(true)}>
            定时发布
          </Text>
        </View>
      ) : null}
      {scheduled ? <NewsSchedule date={when.date} time={when.time} onChange={setWhen} /> : null}
      {problem ? <Text className='field-error'>{problem}</Text> : null}
      {error ? <Text className='field-error'>{error}</Text> : null}
      <View className='news-buttons'>
        <Button className='btn btn--secondary news-button' disabled={busy} onClick={onCancel}>
          取消
        </Button>
        <Button className='btn btn--primary news-button' disabled={busy} onClick={send}>
          确定{buttonLabel(button, { pinned: false })}
        </Button>
      </View>
    </View>
  );
}
