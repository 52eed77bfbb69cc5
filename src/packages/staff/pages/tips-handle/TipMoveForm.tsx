// The small forms of the tip moves that need something typed or chosen: 回复爆料人 (the text),
// 不予采用 (the reason), 转为稿件草稿 (the column, a title), 标记已采用 (the article it went into:
// the draft written from the tip, or a published article found by its title).
import { useEffect, useState } from 'react';
import { Button, Input, Picker, Text, Textarea, View } from '@tarojs/components';
import { articlesApi, columnsApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { ArticleManageItem, Column, TipDetail, TipMovesInput } from '../../../../api/types';

export type FormMove = 'reply' | 'decline' | 'draft' | 'use';
/** What one move sends (without the version, which the page adds): the endpoint's action and its body. */
export type TipMoveRequest = { [A in FormMove]: { action: A; body: Omit<TipMovesInput[A], 'version'> } }[FormMove];

export const MOVE_LABELS: Record<FormMove | 'take' | 'to_appeal', string> = { take: '认领', reply: '回复爆料人', decline: '不予采用', draft: '转为稿件草稿', use: '标记已采用', to_appeal: '转为诉求' };
/** What a move's success says. */
export const MOVE_DONE: Record<FormMove | 'take' | 'to_appeal', string> = { take: '已认领', reply: '已回复爆料人', decline: '已标记不予采用', draft: '已写成稿件草稿', use: '已标记为已采用', to_appeal: '已转为诉求' };

interface Props {
  move: FormMove;
  tip: TipDetail;
  busy: boolean;
  /** The server's refusal of what was sent (400 and the like), under the form. */
  error: string;
  onSubmit: (m: TipMoveRequest) => void;
  onCancel: () => void;
}

function ReasonField({ label, value, max, placeholder, onInput }: { label: string; value: string; max: number; placeholder: string; onInput: (v: string) => void }) {
  return (
    <>
      <Text className='news-label'>{label}</Text>
      <Textarea className='news-textarea' value={value} maxlength={max} placeholder={placeholder} onInput={(e) => onInput(e.detail.value)} />
      <Text className='news-hint'>{`${value.trim().length}/${max}`}</Text>
    </>
  );
}

/** The columns a draft may go into (active ones). */
function useColumns(wanted: boolean): { columns: Column[]; error: string } {
  const [columns, setColumns] = useState<Column[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!wanted) return;
    columnsApi
      .list({ toast: false })
      .then((res) => setColumns(res.items.filter((c) => c.active)))
      .catch((e: unknown) => setError(`栏目加载失败：${errorMessage(e)}`));
  }, [wanted]);
  return { columns, error };
}

export function TipMoveForm({ move, tip, busy, error, onSubmit, onCancel }: Props) {
  const [text, setText] = useState('');
  const [columnIndex, setColumnIndex] = useState(-1);
  const [title, setTitle] = useState('');
  const [articleId, setArticleId] = useState<string | null>(tip.draftArticleId);
  const [q, setQ] = useState('');
  const [found, setFound] = useState<ArticleManageItem[] | null>(null);
  const [problem, setProblem] = useState('');
  const { columns, error: columnsError } = useColumns(move === 'draft');

  const search = async () => {
    try {
      const page = await articlesApi.list({ state: 'published', q: q.trim() || undefined, limit: 10 }, { toast: false });
      setFound(page.items);
      setProblem('');
    } catch (e) {
      setProblem(`稿件查找失败：${errorMessage(e)}`);
    }
  };

  const send = () => {
    const typed = text.trim();
    if (move === 'reply') {
      if (typed.length < 2) return setProblem('请填写回复内容（至少2个字）');
      return onSubmit({ action: 'reply', body: { text: typed } });
    }
    if (move === 'decline') {
      if (typed.length < 2) return setProblem('请填写不予采用的理由（至少2个字）');
      return onSubmit({ action: 'decline', body: { reason: typed } });
    }
    if (move === 'draft') {
      const column = columns[columnIndex];
      if (!column) return setProblem('请选择稿件栏目');
      const t = title.trim();
      if (t && (t.length < 4 || t.length > 60)) return setProblem('标题为4到60个字，不填则取爆料的开头');
      return onSubmit({ action: 'draft', body: t ? { columnId: column.id, title: t } : { columnId: column.id } });
    }
    if (!articleId) return setProblem('请选择采用了这条爆料的稿件');
    return onSubmit({ action: 'use', body: { articleId } });
  };

  return (
    <View className='tip-move'>
      {move === 'reply' ? (
        <ReasonField label='回复爆料人（爆料人会收到这条回复）' value={text} max={500} placeholder='如：感谢您的爆料，记者已前往现场了解情况' onInput={setText} />
      ) : null}
      {move === 'decline' ? <ReasonField label='不予采用的理由（爆料人可以看到）' value={text} max={200} placeholder='如：内容已有报道' onInput={setText} /> : null}
      {move === 'draft' ? (
        <>
          <Text className='news-label'>稿件栏目</Text>
          {columnsError ? <Text className='field-error'>{columnsError}</Text> : null}
          <Picker mode='selector' range={columns.map((c) => c.name)} value={Math.max(columnIndex, 0)} onChange={(e) => setColumnIndex(Number(e.detail.value))}>
            <View className='news-picker'>{columns[columnIndex]?.name ?? '请选择栏目'}</View>
          </Picker>
          <Text className='news-label'>标题（选填）</Text>
          <Input className='news-input' value={title} maxlength={60} placeholder='不填则取爆料的开头' onInput={(e) => setTitle(e.detail.value)} />
          <Text className='news-hint'>{tip.mayCredit ? '爆料人同意署名：草稿会注明线索提供人。' : '爆料人不同意署名：草稿不注明线索提供人。'}</Text>
        </>
      ) : null}
      {move === 'use' ? (
        <>
          <Text className='news-label'>采用了这条爆料的稿件</Text>
          {tip.draftArticleId ? (
            <Text className={`news-tab news-tab--sub${articleId === tip.draftArticleId ? ' news-tab--on' : ''}`} onClick={() => setArticleId(tip.draftArticleId)}>
              由本爆料写成的稿件
            </Text>
          ) : null}
          <View className='news-search'>
            <Input className='news-input news-search__box' value={q} placeholder='按标题查找已发布的稿件' maxlength={40} confirmType='search' onInput={(e) => setQ(e.detail.value)} onConfirm={() => void search()} />
            <Button className='btn btn--secondary news-search__go' onClick={() => void search()}>
              查找
            </Button>
          </View>
          {found && found.length === 0 ? <Text className='news-hint'>没有找到已发布的稿件</Text> : null}
          {(found ?? []).map((a) => (
            <Text key={a.id} className={`news-tab news-tab--sub tip-move__article${articleId === a.id ? ' news-tab--on' : ''}`} onClick={() => setArticleId(a.id)}>
              {a.title}
            </Text>
          ))}
        </>
      ) : null}
      {problem ? <Text className='field-error'>{problem}</Text> : null}
      {error ? <Text className='field-error'>{error}</Text> : null}
      <View className='news-buttons'>
        <Button className='btn btn--secondary news-button' disabled={busy} onClick={onCancel}>
          取消
        </Button>
        <Button className='btn btn--primary news-button' disabled={busy} onClick={send}>
          {busy ? '提交中…' : `确定${MOVE_LABELS[move]}`}
        </Button>
      </View>
    </View>
  );
}
