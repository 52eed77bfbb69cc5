// The open form of a dispatcher's decision that carries a short text (撤下公开's reason, 转为新闻线索's
// note): the text with its count, the check, 取消 and the send. The request carries the version the
// page shows; a 409 (the appeal changed meanwhile) closes the form and reloads the page, whose
// reason the request wrapper has already shown.
import { useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import { ApiError } from '../../../../api/request';
import './AppealActionForm.scss';

export interface NoteDecisionFormProps {
  hint?: string;
  label: string;
  placeholder: string;
  max: number;
  /** What is wrong with the trimmed text, or null when it may be sent. */
  check: (text: string) => string | null;
  submitLabel: string;
  /** Sends the trimmed text; resolves once the decision is made. */
  send: (text: string) => Promise<void>;
  onClose: () => void;
  /** After a 409: show the appeal as it is now. */
  onStale: () => void;
}

export function NoteDecisionForm(props: NoteDecisionFormProps) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const t = text.trim();
    const wrong = props.check(t);
    setError(wrong ?? '');
    if (wrong) return;
    setBusy(true);
    try {
      await props.send(t);
      props.onClose();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        props.onClose();
        props.onStale();
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='appeal-form'>
      {props.hint ? <Text className='appeal-form__hint'>{props.hint}</Text> : null}
      <View className='appeal-form__field'>
        <Text className='appeal-form__label'>{props.label}</Text>
        <Textarea className='appeal-form__textarea' value={text} maxlength={props.max} placeholder={props.placeholder} onInput={(e) => setText(e.detail.value)} />
        <Text className='appeal-form__count'>{`${text.trim().length}/${props.max}`}</Text>
      </View>
      {error ? <Text className='appeal-form__error'>{error}</Text> : null}
      <View className='appeal-form__buttons'>
        <Button className='btn btn--secondary appeal-form__cancel' disabled={busy} onClick={props.onClose}>
          取消
        </Button>
        <Button className='btn btn--primary appeal-form__submit' disabled={busy} onClick={() => void submit()}>
          {busy ? '提交中…' : props.submitLabel}
        </Button>
      </View>
    </View>
  );
}
