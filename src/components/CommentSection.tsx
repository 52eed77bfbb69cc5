// An article's comments, or a consultation's discussion (议事, the same moderation): the form (one idempotency key per text, kept across failed sends so a
// retry never posts twice), the list paged by cursor, and 举报 on other readers' comments.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro, { useReachBottom } from '@tarojs/taro';
import { commentsApi } from '../api/endpoints';
import { LOGIN_PAGE, errorMessage } from '../api/request';
import type { Comment } from '../api/types';
import { REPORT_REASONS } from '../../common/news-labels';
import { useCursorList } from '../hooks/use-cursor-list';
import { getSession } from '../store/session';
import { newIdempotencyKey } from '../store/appeal-draft';
import { formatTime } from '../utils/news';
import { NewsCursorList } from './NewsCursorList';
import './CommentSection.scss';

export const COMMENT_MAX = 300;
const PAGE_SIZE = 20;
export const HELD_MESSAGE = '评论已提交，审核后显示';

const idOf = (c: Comment) => c.id;

export function CommentItem({ comment, reported, onReport }: { comment: Comment; reported: boolean; onReport?: () => void }) {
  return (
    <View className='comment'>
      <View className='comment__head'>
        <Text className='comment__author'>{comment.mine ? `${comment.authorName}（我）` : comment.authorName}</Text>
        {comment.state !== 'visible' ? <Text className='comment__state'>{comment.stateLabel}</Text> : null}
        <Text className='comment__time'>{formatTime(comment.createdAt)}</Text>
      </View>
      <Text className='comment__text'>{comment.text}</Text>
      {!comment.mine && onReport ? (
        <View className='comment__foot'>
          <Text className={`comment__report${reported ? ' comment__report--done' : ''}`} onClick={reported ? undefined : onReport}>
            {reported ? '已举报' : '举报'}
          </Text>
        </View>
      ) : null}
    </View>
  );
}

/**
 * Under an article (`articleId`) or a consultation (`consultationId`); `closed`: the discussion is
 * read, not added to (a consultation after its vote), so no form.
 */
export function CommentSection({ articleId, consultationId, closed = false, onPosted }: { articleId?: string; consultationId?: string; closed?: boolean; onPosted?: (comment: Comment) => void }) {
  const subject = consultationId ? { consultationId } : { articleId: articleId ?? '' };
  const load = useCallback(
    (cursor: string | undefined) => commentsApi.list({ ...(consultationId ? { consultationId } : { articleId: articleId ?? '' }), cursor, limit: PAGE_SIZE }, { toast: false }),
    [articleId, consultationId],
  );
  const list = useCursorList(load, { idOf, enabled: Boolean(consultationId ?? articleId) });
  // The comments are the end of the article page: reaching the bottom reads the next page.
  useReachBottom(() => void list.loadMore());

  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [formError, setFormError] = useState('');
  const [sentMessage, setSentMessage] = useState('');
  const [reported, setReported] = useState<ReadonlySet<string>>(() => new Set());
  // The key of the text being sent: the same text sent again (after a timeout or an error) carries
  // the same key, so the server stores it once; a changed text is a new comment with a new key.
  const pending = useRef<{ text: string; key: string } | null>(null);
  const sendingRef = useRef(false);

  const toLogin = () => void Taro.navigateTo({ url: LOGIN_PAGE });

  const send = async () => {
    if (sendingRef.current) return;
    if (!getSession()) return toLogin();
    const body = text.trim();
    if (!body) {
      setFormError('请输入评论内容');
      return;
    }
    if (!pending.current || pending.current.text !== body) pending.current = { text: body, key: newIdempotencyKey() };
    sendingRef.current = true;
    setSending(true);
    setFormError('');
    setSentMessage('');
    try {
      const comment = await commentsApi.create({ ...subject, text: body, idempotencyKey: pending.current.key }, { toast: false });
      pending.current = null;
      setText('');
      list.mutate((items) => [comment, ...items.filter((c) => c.id !== comment.id)]);
      if (comment.state === 'held') {
        setSentMessage(HELD_MESSAGE);
      } else {
        void Taro.showToast({ title: '评论成功', icon: 'success', duration: 1500 });
      }
      onPosted?.(comment);
    } catch (e) {
      setFormError(`发送失败：${errorMessage(e)}`);
    } finally {
      sendingRef.current = false;
      setSending(false);
    }
  };

  const report = async (comment: Comment) => {
    if (!getSession()) return toLogin();
    // The reader picks why (the editor who decides sees it); closing the sheet cancels the report.
    let reason: string;
    try {
      const picked = await Taro.showActionSheet({ itemList: [...REPORT_REASONS] });
      reason = REPORT_REASONS[picked.tapIndex];
    } catch {
      return;
    }
    if (!reason) return;
    try {
      const result = await commentsApi.report(comment.id, { reason });
      setReported((prev) => new Set(prev).add(comment.id));
      if (result.hidden) list.mutate((items) => items.filter((c) => c.id !== comment.id));
      void Taro.showToast({ title: '已举报，感谢监督', icon: 'none', duration: 2000 });
    } catch {
      // The request layer has shown the message.
    }
  };

  const signedIn = Boolean(getSession());

  return (
    <View className='comments'>
      <Text className='comments__title'>评论</Text>
      {closed ? (
        <Text className='comments__hint'>议事已结束，讨论只能查看</Text>
      ) : signedIn ? (
        <View className='comments__form'>
          <Textarea
            className='comments__input'
            value={text}
            placeholder='说说您的看法（文明发言，审核后可能才显示）'
            maxlength={COMMENT_MAX}
            onInput={(e) => {
              setText(e.detail.value);
              setFormError('');
            }}
          />
          <Text className='comments__count'>{`${text.length}/${COMMENT_MAX}`}</Text>
          {formError ? <Text className='comments__error'>{formError}</Text> : null}
          {sentMessage ? <Text className='comments__held'>{sentMessage}</Text> : null}
          <Button className='btn btn--primary comments__send' disabled={sending} onClick={() => void send()}>
            {sending ? '发送中…' : '发表评论'}
          </Button>
        </View>
      ) : (
        <Button className='btn btn--secondary comments__send' onClick={toLogin}>
          登录后发表评论
        </Button>
      )}
      <NewsCursorList
        list={list}
        emptyText='还没有评论'
        renderItem={(c) => <CommentItem key={c.id} comment={c} reported={reported.has(c.id)} onReport={() => void report(c)} />}
      />
    </View>
  );
}
