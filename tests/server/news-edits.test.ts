/**
 * No lost edits, no stale retries, for articles and notices: a create key reused with another body
 * is a 409 (a retry with the same body still gets the first draft); every answer carries the
 * version as ETag and body field; an edit names the version it was made on (If-Match or
 * body.version), a stale one is a 409 STALE_VERSION with the current version, a missing one a 428;
 * of two edits made on one version at once, one wins. On the real embedded database.
 */
import type { AuthUser } from '../../server/core/route';
import type { ArticleDoc } from '../../server/news/model';
import type { NoticeDoc } from '../../server/notices/model';
import { articleService } from '../../server/news/articles';
import { noticeService } from '../../server/notices/service';
import { userService } from '../../server/users/service';
import { startTestServer, type TestServer } from '../helpers/server';
import { testClock } from '../helpers/appeals';
import { clientKey, ensureColumn, newsStaff, type NewsStaff } from '../helpers/news';

const clock = testClock('2026-11-20T02:00:00Z');
let s: TestServer;
let staff: NewsStaff;
let columnId: string;
let seq = 0;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false });
  staff = await newsStaff(s);
  columnId = String((await ensureColumn(s, 'livelihood'))._id);
});
afterAll(async () => {
  await s?.stop();
});

const title = (what: string) => `${what}版本测试${++seq}号`;
const articleBody = (t: string, body = '<p>第一版正文内容</p>') => ({ columnId, title: t, bodyHtml: body, author: '测试记者' });
const noticeBody = (t: string, body = '第一版通知正文内容') => ({ title: t, body, level: 'normal' });
const post = (path: string, body: unknown) => s.api('POST', `/api/v1${path}`, { token: staff.editor, body });
const patch = (path: string, body: unknown, headers?: Record<string, string>) => s.api('PATCH', `/api/v1${path}`, { token: staff.editor, body, headers });

async function asUser(username: string): Promise<AuthUser> {
  const u = await s.models.User.findOne({ username }).lean();
  return userService(s.ctx).toAuthUser(u!);
}

/** Two calls that each stop at `hook` until both are there: the overlap is certain, not hoped for. */
function meetingPoint() {
  let arrived = 0;
  let release!: () => void;
  const both = new Promise<void>((r) => (release = r));
  return {
    hook: async () => {
      if (++arrived === 2) release();
      await both;
    },
    arrived: () => arrived,
  };
}

describe('a create key reused with another body', () => {
  for (const kind of ['articles', 'notices'] as const) {
    it(`${kind}: same key and body → 200 with the first draft; same key, changed text → 409, the first draft unchanged`, async () => {
      // Catches: a retried first save after a lost answer, with the text changed meanwhile, answered
      // with the old draft as if it were the new one (and then published: the old text goes out).
      const t = title(kind);
      const key = clientKey();
      const first = kind === 'articles' ? articleBody(t) : noticeBody(t);
      const changed = kind === 'articles' ? articleBody(t, '<p>改过的第二版正文</p>') : noticeBody(t, '改过的第二版通知正文');
      const a = await post(`/${kind}`, { ...first, idempotencyKey: key });
      const again = await post(`/${kind}`, { ...first, idempotencyKey: key });
      expect([a.status, again.status, again.body.id]).toEqual([201, 200, a.body.id]);
      const other = await post(`/${kind}`, { ...changed, idempotencyKey: key });
      expect([other.status, other.body.error.code, other.body.error.details[0].path]).toEqual([409, 'CONFLICT', 'body.idempotencyKey']);
      expect(other.body.error.message).toBe('同一提交标识已用于内容不同的另一次提交，请刷新后重新保存');
      const count = kind === 'articles' ? s.models.Article.countDocuments({ idempotencyKey: key }) : s.models.Notice.countDocuments({ idempotencyKey: key });
      expect(await count).toBe(1);
      const stored = kind === 'articles' ? (await s.models.Article.findById(a.body.id).lean<ArticleDoc>())!.bodyHtml : (await s.models.Notice.findById(a.body.id).lean<NoticeDoc>())!.body;
      expect(stored).toBe(kind === 'articles' ? '<p>第一版正文内容</p>' : '第一版通知正文内容');
    });
  }

  it('takes a body equal after normalising (spaces trimmed, regions in another order) as the same retry', async () => {
    // Catches: a hash of the raw request, refusing an honest retry whose form was serialised differently.
    const key = clientKey();
    const regions = [await s.regionId('DX-01-01'), await s.regionId('DX-01-02')];
    const t = title('规范化');
    const a = await post('/notices', { ...noticeBody(t), regionIds: regions, idempotencyKey: key });
    const b = await post('/notices', { ...noticeBody(`  ${t} `), regionIds: [...regions].reverse(), idempotencyKey: key });
    expect([a.status, b.status, b.body.id]).toEqual([201, 200, a.body.id]);
  });
});

describe('edits carry the version they were made on', () => {
  for (const kind of ['articles', 'notices'] as const) {
    const getPath = (id: string) => (kind === 'articles' ? `/api/v1/articles/${id}` : `/api/v1/notices/manage/${id}`);
    const create = async () => (await post(`/${kind}`, { ...(kind === 'articles' ? articleBody(title(kind)) : noticeBody(title(kind))), idempotencyKey: clientKey() })).body;

    it(`${kind}: GET answers the version as ETag; If-Match or body.version edits; stale → 409 with the current version; none → 428`, async () => {
      // Catches: an edit made on an old copy overwriting a newer one silently, or an edit naming no version accepted.
      const made = await create();
      const read = await s.api('GET', getPath(made.id), { token: staff.editor });
      expect([read.body.version, read.headers.get('etag')]).toEqual([0, '"v0"']);

      const byHeader = await patch(`/${kind}/${made.id}`, { title: title('首改') }, { 'if-match': '"v0"' });
      expect([byHeader.status, byHeader.body.version, byHeader.headers.get('etag')]).toEqual([200, 1, '"v1"']);
      const byBody = await patch(`/${kind}/${made.id}`, { title: title('再改'), version: 1 });
      expect([byBody.status, byBody.body.version]).toEqual([200, 2]);

      const stale = await patch(`/${kind}/${made.id}`, { title: title('旧版本') }, { 'if-match': '"v1"' });
      expect([stale.status, stale.body.error.code, stale.body.error.details]).toEqual([409, 'STALE_VERSION', [{ path: 'version', message: '2' }]]);
      expect(stale.body.error.message).toBe('内容已被他人修改，请重新加载后再修改');
      const staleBody = await patch(`/${kind}/${made.id}`, { title: title('旧版本'), version: 0 });
      expect([staleBody.status, staleBody.body.error.code]).toEqual([409, 'STALE_VERSION']);
      const none = await patch(`/${kind}/${made.id}`, { title: title('无版本') });
      expect([none.status, none.body.error.code]).toEqual([428, 'PRECONDITION_REQUIRED']);
      const disagree = await patch(`/${kind}/${made.id}`, { title: title('不一致'), version: 2 }, { 'if-match': '"v1"' });
      expect(disagree.status).toBe(400);
      expect((await s.api('GET', getPath(made.id), { token: staff.editor })).body).toMatchObject({ title: byBody.body.title, version: 2 });
    });

    it(`${kind}: of two edits made on one version at once (title on one device, body on another), one is 200 and one 409`, async () => {
      // Catches: read-modify-write edits that both succeed, the second silently dropping the first's change.
      const made = await create();
      const meet = meetingPoint();
      const user = await asUser('editor');
      const newTitle = title('设备甲改标题');
      const results =
        kind === 'articles'
          ? await Promise.allSettled([
              articleService(s.ctx, { afterEditRead: meet.hook }).update(user, made.id, { title: newTitle }, 0),
              articleService(s.ctx, { afterEditRead: meet.hook }).update(user, made.id, { bodyHtml: '<p>设备乙改的正文</p>' }, 0),
            ])
          : await Promise.allSettled([
              noticeService(s.ctx, { afterEditRead: meet.hook }).update(user, made.id, { title: newTitle }, 0),
              noticeService(s.ctx, { afterEditRead: meet.hook }).update(user, made.id, { body: '设备乙改的通知正文' }, 0),
            ]);
      expect(meet.arrived()).toBe(2);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
      expect([refused.status, refused.code, refused.details]).toEqual([409, 'STALE_VERSION', [{ path: 'version', message: '1' }]]);
      const stored = kind === 'articles' ? (await s.models.Article.findById(made.id).lean<ArticleDoc>())! : (await s.models.Notice.findById(made.id).lean<NoticeDoc>())!;
      const titleWon = results[0].status === 'fulfilled';
      const text = 'bodyHtml' in stored ? stored.bodyHtml : stored.body;
      // Exactly the winner's change is stored; the loser's is not silently merged or lost.
      expect([stored.version, stored.title === newTitle, text === made[kind === 'articles' ? 'bodyHtml' : 'body']]).toEqual([1, titleWon, titleWon]);
    });
  }

  it('a move with a stale If-Match is refused (submit, notice publish), so what goes out is the version the writer saw', async () => {
    // Catches: 提交审核 / 发布 after someone else changed the text, sending out a text the writer never saw.
    const a = (await post('/articles', { ...articleBody(title('提交')), idempotencyKey: clientKey() })).body;
    expect((await patch(`/articles/${a.id}`, { title: title('他人修改'), version: 0 })).status).toBe(200);
    const submit = await s.api('POST', `/api/v1/articles/${a.id}/submit`, { token: staff.editor, body: {}, headers: { 'if-match': '"v0"' } });
    expect([submit.status, submit.body.error.code]).toEqual([409, 'STALE_VERSION']);
    const ok = await s.api('POST', `/api/v1/articles/${a.id}/submit`, { token: staff.editor, body: {}, headers: { 'if-match': '"v1"' } });
    expect([ok.status, ok.body.state, ok.body.version]).toEqual([200, 'review', 2]);

    const n = (await post('/notices', { ...noticeBody(title('发布')), idempotencyKey: clientKey() })).body;
    expect((await patch(`/notices/${n.id}`, { body: '他人改过的通知正文', version: 0 })).status).toBe(200);
    const pub = await s.api('POST', `/api/v1/notices/${n.id}/publish`, { token: staff.editor, headers: { 'if-match': '"v0"' } });
    expect([pub.status, pub.body.error.code]).toEqual([409, 'STALE_VERSION']);
    expect((await s.models.Notice.findById(n.id).lean<NoticeDoc>())!.state).toBe('draft');
    expect(await s.models.Outbox.countDocuments({ ref: `notice:${n.id}` })).toBe(0);
  });
});
