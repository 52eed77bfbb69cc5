// The article page: rich text, 点赞 (optimistic, rolled back on failure, login first), comments
// (one idempotency key across failed retries, the held message, 举报) and the share card.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { fireReachBottom, fireShareAppMessage, fireShareTimeline, resetTaro } from './stubs/taro';
import { inH5 } from './helpers/in-h5';
import ArticlePage from '../../src/pages/article/index';
import { setSession } from '../../src/store/session';
import { apiError, deferred, fakeApi, me, session, type FakeResponse, type Handler } from './helpers/fake-api';
import { articleDetail, comment, pageOf } from './helpers/reader-news';

const taro = Taro as unknown as Record<string, jest.Mock>;

beforeEach(() => {
  resetTaro();
  taro.getCurrentInstance.mockReturnValue({ router: { params: { id: 'art1' }, path: '/pages/article/index' } });
});

function api(extra: Record<string, Handler> = {}) {
  return fakeApi({
    'GET /me': () => ({ status: 200, body: me() }),
    'GET /news/articles/art1': () => ({ status: 200, body: articleDetail() }),
    'GET /comments': () => pageOf([comment(1), comment(2, { authorName: '张三', mine: true })]),
    ...extra,
  });
}

test('renders the article: meta, rich text with pictures fitted, views and comments', async () => {
  // Catches a body shown as escaped HTML, pictures wider than the screen in WeChat, and the
  // comments read for another article.
  const log = api();
  render(<ArticlePage />);
  expect(await screen.findByText('第1篇：县城新修的步行街开街')).toBeTruthy();
  const body = screen.getByTestId('rich-text');
  expect(body.querySelector('p')?.textContent).toBe('步行街今天正式开街，欢迎市民前来。');
  expect(body.querySelector('img')?.getAttribute('style')).toContain('max-width:100%');
  expect(screen.getByText('作者：李记者')).toBeTruthy();
  expect(screen.getByText('本地新闻')).toBeTruthy();
  expect(screen.getByText('阅读 120')).toBeTruthy();
  expect(await screen.findByText('第1条评论：好事')).toBeTruthy();
  expect(log.find((r) => r.path === '/comments')?.query).toEqual({ articleId: 'art1', limit: '20' });
  // 举报 only on other readers' comments.
  expect(screen.getAllByText('举报')).toHaveLength(1);
  expect(screen.getByText('张三（我）')).toBeTruthy();
});

test('like shows at once, takes the server count, and rolls back when refused', async () => {
  // Catches a like that waits for the server, one that stays on after a failure, and an
  // unlike sent as a like.
  setSession(session());
  const refuse = deferred<FakeResponse>();
  let likes = 0;
  const log = api({
    'PUT /news/articles/art1/like': () => (++likes === 1 ? { status: 200, body: { liked: true, likes: 9 } } : refuse.promise),
    'DELETE /news/articles/art1/like': () => ({ status: 200, body: { liked: false, likes: 8 } }),
  });
  render(<ArticlePage />);
  await screen.findByText('点赞 5');
  await act(async () => {
    fireEvent.click(screen.getByText('点赞 5'));
  });
  expect(screen.getByText('已赞 9')).toBeTruthy();

  await act(async () => {
    fireEvent.click(screen.getByText('已赞 9'));
  });
  expect(screen.getByText('点赞 8')).toBeTruthy();
  expect(log.filter((r) => r.path === '/news/articles/art1/like').map((r) => r.method)).toEqual(['PUT', 'DELETE']);

  // The second like is refused: shown at once, then taken back.
  act(() => {
    fireEvent.click(screen.getByText('点赞 8'));
  });
  expect(screen.getByText('已赞 9')).toBeTruthy();
  await act(async () => refuse.resolve(apiError(500, 'INTERNAL', '服务暂时不可用，请稍后重试')));
  expect(screen.getByText('点赞 8')).toBeTruthy();
  expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '服务暂时不可用，请稍后重试' }));
});

test('signed out: 点赞 and 发表评论 lead to the login page', async () => {
  // Catches a like sent without a session (a 401 round trip) instead of asking to sign in.
  const log = api();
  render(<ArticlePage />);
  fireEvent.click(await screen.findByText('点赞 5'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/login/index' });
  fireEvent.click(screen.getByText('登录后发表评论'));
  expect(Taro.navigateTo).toHaveBeenCalledTimes(2);
  expect(log.some((r) => r.method !== 'GET')).toBe(false);
});

test('a comment sent again after a failure carries the same key and shows once', async () => {
  // Catches a retry with a new key (the server would store the comment twice when the first
  // send reached it), a key kept after success (the next comment would be taken for the old one),
  // and the sent comment missing from the list.
  setSession(session());
  let posts = 0;
  const log = api({
    'POST /comments': (req) =>
      ++posts === 1 ? 'network-error' : { status: 201, body: comment(10 + posts, { text: req.data.text, mine: true, authorName: '张三' }) },
  });
  render(<ArticlePage />);
  await screen.findByText('第1条评论：好事');
  fireEvent.change(document.querySelector('textarea')!, { target: { value: '  支持，早该修了  ' } });
  await act(async () => {
    fireEvent.click(screen.getByText('发表评论'));
  });
  expect(screen.getByText('发送失败：网络不给力，请稍后重试')).toBeTruthy();
  await act(async () => {
    fireEvent.click(screen.getByText('发表评论'));
  });
  const sent = log.filter((r) => r.method === 'POST' && r.path === '/comments');
  expect(sent).toHaveLength(2);
  expect(sent[0].data).toEqual({ articleId: 'art1', text: '支持，早该修了', idempotencyKey: expect.stringMatching(/^[A-Za-z0-9_:.-]{8,80}$/) });
  expect(sent[1].data.idempotencyKey).toBe(sent[0].data.idempotencyKey);
  expect(screen.getAllByText('支持，早该修了')).toHaveLength(1);
  expect((document.querySelector('textarea') as HTMLTextAreaElement).value).toBe('');

  fireEvent.change(document.querySelector('textarea')!, { target: { value: '再说一句' } });
  await act(async () => {
    fireEvent.click(screen.getByText('发表评论'));
  });
  const third = log.filter((r) => r.method === 'POST' && r.path === '/comments')[2];
  expect(third.data.idempotencyKey).not.toBe(sent[0].data.idempotencyKey);
});

test('a held comment says it shows after review', async () => {
  // Catches a held comment that silently vanishes (the reader would post it again).
  setSession(session());
  api({ 'POST /comments': (req) => ({ status: 201, body: comment(30, { text: req.data.text, state: 'held', stateLabel: '待审核', mine: true }) }) });
  render(<ArticlePage />);
  await screen.findByText('第1条评论：好事');
  fireEvent.change(document.querySelector('textarea')!, { target: { value: '这里有个敏感词' } });
  await act(async () => {
    fireEvent.click(screen.getByText('发表评论'));
  });
  expect(screen.getByText('评论已提交，审核后显示')).toBeTruthy();
  expect(screen.getByText('待审核')).toBeTruthy();
});

test('举报 asks why first, then reports with the reason; a comment hidden by it leaves the list', async () => {
  // Catches a report sent when the reader closed the sheet, a report without the reason they picked,
  // and a hidden comment left on screen.
  setSession(session());
  taro.showActionSheet.mockRejectedValueOnce(new Error('showActionSheet:fail cancel'));
  taro.showActionSheet.mockResolvedValueOnce({ tapIndex: 2, errMsg: 'showActionSheet:ok' });
  const log = api({ 'POST /comments/c1/report': () => ({ status: 200, body: { reports: 3, hidden: true } }) });
  render(<ArticlePage />);
  await screen.findByText('第1条评论：好事');
  await act(async () => {
    fireEvent.click(screen.getByText('举报'));
  });
  expect(log.some((r) => r.path === '/comments/c1/report')).toBe(false);
  await act(async () => {
    fireEvent.click(screen.getByText('举报'));
  });
  expect(taro.showActionSheet).toHaveBeenCalledTimes(2);
  expect(log.filter((r) => r.path === '/comments/c1/report').map((r) => r.data)).toEqual([{ reason: '虚假信息' }]);
  expect(screen.queryByText('第1条评论：好事')).toBeNull();
});

test('comments page on at the bottom with the cursor', async () => {
  // Catches comments stuck at the first page.
  const log = api({ 'GET /comments': (req) => (req.query.cursor === 'ck' ? pageOf([comment(3)]) : pageOf([comment(1)], 'ck')) });
  render(<ArticlePage />);
  await screen.findByText('第1条评论：好事');
  await act(async () => fireReachBottom());
  expect(screen.getByText('第3条评论：好事')).toBeTruthy();
  expect(log.filter((r) => r.path === '/comments').map((r) => r.query.cursor)).toEqual([undefined, 'ck']);
});

test('the share card has the title, the article path and the cover', async () => {
  // Catches a share that opens the home page instead of the article, or a cover without the API origin.
  api({ 'GET /news/articles/art1': () => ({ status: 200, body: articleDetail({ cover: { id: 'p1', url: '/api/v1/photos/p1', thumbUrl: '/api/v1/photos/p1/thumb' } }) }) });
  render(<ArticlePage />);
  await screen.findByText('第1篇：县城新修的步行街开街');
  expect(fireShareAppMessage()).toEqual({
    title: '第1篇：县城新修的步行街开街',
    path: '/pages/article/index?id=art1',
    imageUrl: 'http://127.0.0.1:3000/api/v1/photos/p1',
  });
  // 朋友圈: the same article by its query, with the cover.
  expect(fireShareTimeline()).toEqual({ title: '第1篇：县城新修的步行街开街', query: 'id=art1', imageUrl: 'http://127.0.0.1:3000/api/v1/photos/p1' });
});

test('a missing article shows the error with 重试', async () => {
  // Catches a blank page for a withdrawn or wrong article.
  api({ 'GET /news/articles/art1': () => apiError(404, 'NOT_FOUND', '文章不存在') });
  render(<ArticlePage />);
  expect(await screen.findByText('加载失败：文章不存在')).toBeTruthy();
  expect(screen.getByText('重试')).toBeTruthy();
});

test('in a browser 复制链接 copies the page address', async () => {
  // Catches an H5 page with no way to share (WeChat's share card does not exist there).
  await inH5(async () => {
    api();
    render(<ArticlePage />);
    fireEvent.click(await screen.findByText('复制链接'));
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: window.location.href });
  });
});
