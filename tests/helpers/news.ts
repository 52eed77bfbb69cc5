import { randomUUID } from 'node:crypto';
/**
 * Shared pieces of the news suites (workflow, feed, comments, sanitising): the demo columns, the
 * newsroom's accounts, and an article written, submitted and approved through the API the way the
 * newsroom does it (so feedKey, searchTerms, stats and history are exactly the real publish's).
 */
import type { ColumnDoc } from '../../server/news/model';
import type { TestServer } from './server';

/** A fresh client key for a create (the server returns the first document for a repeated key). */
export const clientKey = () => `test-${randomUUID()}`;

/** The demo county's columns (code → name, review levels, emergency), as the seed writes them. */
export const DEMO_COLUMNS: Record<string, { name: string; reviewLevels: number; emergency: boolean; sort: number }> = {
  local: { name: '本地新闻', reviewLevels: 2, emergency: false, sort: 10 },
  livelihood: { name: '民生', reviewLevels: 1, emergency: false, sort: 20 },
  government: { name: '政务', reviewLevels: 3, emergency: false, sort: 30 },
  rural: { name: '乡村振兴', reviewLevels: 1, emergency: false, sort: 40 },
  culture: { name: '文旅', reviewLevels: 1, emergency: false, sort: 50 },
  emergency: { name: '应急', reviewLevels: 1, emergency: true, sort: 60 },
};

/** The column of this code: the seeded one, or (for a demo code the seed has not written) created now. */
export async function ensureColumn(server: TestServer, code: string): Promise<ColumnDoc> {
  const { Column } = server.models;
  const found = await Column.findOne({ code }).lean<ColumnDoc>();
  if (found) return found;
  const demo = DEMO_COLUMNS[code];
  if (!demo) throw new Error(`no column ${code} and no demo definition for it`);
  await Column.updateOne({ code }, { $setOnInsert: { code, ...demo, active: true } }, { upsert: true });
  return (await Column.findOne({ code }).lean<ColumnDoc>())!;
}

/** Tokens of the newsroom: the demo editor, and three different reviewers (a column has up to 3 levels, each a different person). */
export interface NewsStaff {
  admin: string;
  editor: string;
  reviewers: [string, string, string];
}

const STAFF_PASSWORD = 'news-reviewer-pass-1';
const staffCache = new WeakMap<TestServer, Promise<NewsStaff>>();

/** Signs in the newsroom once per server; the second and third reviewers are created (by the admin) on first use. */
export function newsStaff(server: TestServer): Promise<NewsStaff> {
  let p = staffCache.get(server);
  if (!p) {
    p = (async () => {
      const admin = await server.staffToken('admin');
      const extra: string[] = [];
      for (const username of ['news_reviewer2', 'news_reviewer3']) {
        if (!(await server.models.User.exists({ username }))) {
          const made = await server.api('POST', '/api/v1/users', { token: admin, body: { name: username === 'news_reviewer2' ? '审核员乙' : '审核员丙', username, password: STAFF_PASSWORD, roles: ['reviewer'] } });
          if (made.status !== 201) throw new Error(`create ${username}: ${made.status} ${JSON.stringify(made.body)}`);
        }
        const login = await server.api('POST', '/api/v1/auth/password-login', { body: { username, password: STAFF_PASSWORD } });
        if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
        extra.push(login.body.accessToken);
      }
      return { admin, editor: await server.staffToken('editor'), reviewers: [await server.staffToken('reviewer'), extra[0], extra[1]] };
    })();
    p.catch(() => staffCache.delete(server));
    staffCache.set(server, p);
  }
  return p;
}

export interface ArticleInput {
  columnCode: string;
  title: string;
  /** HTML body; default: a paragraph naming the title. */
  body?: string;
  regionIds?: string[];
  summary?: string;
  coverPhotoId?: string | null;
  author?: string;
}

/** A draft written by the demo editor; returns the API's ArticleManageDetail. */
export async function createDraft(server: TestServer, input: ArticleInput, token?: string): Promise<any> {
  const column = await ensureColumn(server, input.columnCode);
  const res = await server.api('POST', '/api/v1/articles', {
    token: token ?? (await newsStaff(server)).editor,
    body: {
      columnId: String(column._id),
      title: input.title,
      bodyHtml: input.body ?? `<p>${input.title}：这是一篇测试文章的正文内容。</p>`,
      author: input.author ?? '测试记者',
      idempotencyKey: clientKey(),
      ...(input.summary !== undefined ? { summary: input.summary } : {}),
      ...(input.regionIds ? { regionIds: input.regionIds } : {}),
      ...(input.coverPhotoId !== undefined ? { coverPhotoId: input.coverPhotoId } : {}),
    },
  });
  if (res.status !== 201) throw new Error(`create article: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** POST /articles/:id/<action>, expecting 200; returns the ArticleManageDetail. */
export async function articleMove(server: TestServer, token: string, id: string, action: string, body: unknown = {}): Promise<any> {
  const res = await server.api('POST', `/api/v1/articles/${id}/${action}`, { token, body });
  if (res.status !== 200) throw new Error(`${action} ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface PublishOptions extends ArticleInput {
  pinned?: boolean;
}

/** Writes, submits and approves every level of the column (a different reviewer each), pins if asked; returns the id. */
export async function publishArticle(server: TestServer, opts: PublishOptions): Promise<string> {
  const staff = await newsStaff(server);
  const draft = await createDraft(server, opts, staff.editor);
  let a = await articleMove(server, staff.editor, draft.id, 'submit', {});
  for (let level = 1; a.state === 'review'; level++) a = await articleMove(server, staff.reviewers[level - 1], draft.id, 'approve', {});
  if (a.state !== 'published') throw new Error(`article ${draft.id} ended ${a.state}, not published`);
  if (opts.pinned) await articleMove(server, staff.editor, draft.id, 'pin', { pinned: true });
  return draft.id;
}
