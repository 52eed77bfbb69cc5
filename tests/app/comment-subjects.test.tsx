// The comment section under a consultation (议事): it reads and writes that consultation's
// discussion, and once the vote has closed it shows the discussion without a form.
import { act, fireEvent, render, screen } from '@testing-library/react';
import { resetTaro } from './stubs/taro';
import { CommentSection } from '../../src/components/CommentSection';
import { setSession } from '../../src/store/session';
import { fakeApi, session } from './helpers/fake-api';
import { comment, pageOf } from './helpers/reader-news';

beforeEach(() => resetTaro());

test('reads and writes the consultation\'s discussion, not an article\'s', async () => {
  // Catches: the section asking for `articleId` (a 400, an empty discussion) or posting a comment
  // without the consultation it belongs to.
  setSession(session());
  const log = fakeApi({
    'GET /comments': () => pageOf([comment(1, { articleId: null, consultationId: 'cons1' })]),
    'POST /comments': (req) => ({ status: 201, body: comment(2, { articleId: null, consultationId: 'cons1', text: (req.data as { text: string }).text, mine: true }) }),
  });
  render(<CommentSection consultationId='cons1' />);
  await act(async () => undefined);
  expect(log.find((r) => r.method === 'GET')!.query).toMatchObject({ consultationId: 'cons1' });
  expect(log.find((r) => r.method === 'GET')!.query.articleId).toBeUndefined();
  expect(screen.getByText('第1条评论：好事')).toBeTruthy();
  fireEvent.change(document.querySelector('textarea')!, { target: { value: '支持外挂式' } });
  await act(async () => {
    fireEvent.click(screen.getByText('发表评论'));
  });
  const post = log.find((r) => r.method === 'POST')!;
  expect(post.data).toMatchObject({ consultationId: 'cons1', text: '支持外挂式' });
  expect((post.data as Record<string, unknown>).articleId).toBeUndefined();
});

test('a closed consultation\'s discussion is read only', async () => {
  // Catches: a form offered after the vote closed (every comment would be refused with 409).
  setSession(session());
  fakeApi({ 'GET /comments': () => pageOf([comment(1, { articleId: null, consultationId: 'cons1' })]) });
  render(<CommentSection consultationId='cons1' closed />);
  await act(async () => undefined);
  expect(screen.getByText('议事已结束，讨论只能查看')).toBeTruthy();
  expect(screen.queryByText('发表评论')).toBeNull();
  expect(screen.getByText('第1条评论：好事')).toBeTruthy();
});
