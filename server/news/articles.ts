/**
 * The newsroom's articles: writing (sanitised bodies, region scope, cover), the workbench lists and
 * the views of one article. The workflow moves (submit, approve, reject, schedule, publish,
 * withdraw, pin) are in workflow.ts.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest, forbidden, invalidState, notFound } from '../core/errors';
import { createOnce, requestHash } from '../core/create-once';
import { staleVersion, versionFilter } from '../core/versions';
import { scopeOf, scopeRegions, type RegionScope } from '../regions';
import { photoService } from '../photos';
import { ARTICLE_ACTION_LABELS, ARTICLE_STATE_LABELS, ARTICLE_STATES, type ArticleStateName } from '../../common/news-labels';
import { newsModels, type ArticleDoc, type ArticleStatsDoc, type ColumnDoc } from './model';
import type {
  ArticleAction,
  ArticleManageDetail,
  ArticleManageItem,
  ArticleManagePage,
  CreateArticleBody,
  ManageCounts,
  ManageQuery,
  UpdateArticleBody,
} from './schemas';
import { toArticleSummary } from './feed';
import { cleanArticleBody } from './sanitize';
import { documentTerms, queryTerms } from './search-terms';

/** A summary left empty is the start of the body's text, this many characters. */
export const AUTO_SUMMARY_CHARS = 60;

export const autoSummary = (text: string) => Array.from(text).slice(0, AUTO_SUMMARY_CHARS).join('');

/** Editors write; reviewers review; both schedule, publish, withdraw and pin. Admins pass every check. */
export const hasRole = (user: AuthUser, role: 'editor' | 'reviewer') => user.roles.includes(role) || user.roles.includes('admin');

export const stateLabel = (s: ArticleStateName) => ARTICLE_STATE_LABELS[s];

/** What the viewer may do with the article now (the workbench shows these buttons, the moves check the same). */
export function allowedActions(a: ArticleDoc, user: AuthUser): ArticleAction[] {
  const out: ArticleAction[] = [];
  const editor = hasRole(user, 'editor');
  const staff = editor || hasRole(user, 'reviewer');
  if (a.state === 'draft' || a.state === 'withdrawn') {
    if (editor) out.push('edit', 'submit');
  } else if (a.state === 'review') {
    if (hasRole(user, 'reviewer') && reviewRefusal(a, user) === null) out.push('approve', 'reject');
  } else if (a.state === 'scheduled') {
    if (staff) out.push('schedule', 'publish', 'withdraw');
  } else if (a.state === 'published') {
    if (staff) out.push('withdraw', a.pinned ? 'unpin' : 'pin');
  }
  return out;
}

/** Why this reviewer may not decide this round (their own text, or a level they already approved); null when they may. */
export function reviewRefusal(a: Pick<ArticleDoc, 'createdById' | 'approvedByIds'>, user: AuthUser): string | null {
  if (String(a.createdById) === user.id) return '不能审核自己撰写的文章，请由其他审核人员审核';
  if (a.approvedByIds.some((id) => String(id) === user.id)) return '同一篇文章的各级审核须由不同的人完成，您已审核通过本轮的上一级';
  return null;
}

export function toManageItem(a: ArticleDoc): ArticleManageItem {
  return {
    ...toArticleSummary(a),
    state: a.state,
    stateLabel: stateLabel(a.state),
    reviewLevel: a.state === 'review' ? a.reviewLevel : null,
    reviewLevels: a.reviewLevels,
    publishAt: a.publishAt ? a.publishAt.toISOString() : null,
    createdById: String(a.createdById),
    createdByName: a.createdByName,
    updatedAt: a.updatedAt.toISOString(),
    rejectReason: a.state === 'draft' ? a.rejectReason : null,
    version: a.version ?? 0,
  };
}

export function toManageDetail(a: ArticleDoc, stats: Pick<ArticleStatsDoc, 'views' | 'likes' | 'comments'> | null, user: AuthUser): ArticleManageDetail {
  return {
    ...toManageItem(a),
    bodyHtml: a.bodyHtml,
    regionIds: a.regionIds.map(String),
    views: stats?.views ?? 0,
    likes: stats?.likes ?? 0,
    comments: stats?.comments ?? 0,
    history: a.history.map((e) => ({
      at: e.at.toISOString(),
      action: e.action,
      actionLabel: ARTICLE_ACTION_LABELS[e.action] ?? e.action,
      level: e.level,
      byName: e.byName,
      note: e.note,
    })),
    allowedActions: allowedActions(a, user),
    tipId: a.tipId ? String(a.tipId) : null,
  };
}

/** A history event of `user`. */
export function articleEvent(at: Date, action: string, user: Pick<AuthUser, 'id' | 'name'> | null, level: number | null = null, note: string | null = null) {
  return { _id: new Types.ObjectId(), at, action, level, byId: user ? new Types.ObjectId(user.id) : null, byName: user?.name ?? '系统', note };
}

/** The workbench cursor: the last _id of the page. */
const encodeIdCursor = (id: Types.ObjectId | string) => Buffer.from(String(id), 'utf8').toString('base64url');
function decodeIdCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-f0-9]{24}$/.test(id)) throw badRequest('分页游标无效，请从第一页重新加载', [{ path: 'query.cursor', message: '无效的游标' }]);
  return id;
}

export interface ArticleServiceHooks {
  /** Called after an edit has read the article and before it writes (tests hold two edits here, so both read the same version). */
  afterEditRead?: () => Promise<void>;
}

export function articleService(ctx: AppContext, hooks: ArticleServiceHooks = {}) {
  const { Article, ArticleStats, Column, Comment } = newsModels(ctx.conn);

  async function activeColumn(id: string): Promise<ColumnDoc> {
    const c = await Column.findOne({ _id: id, active: true }).lean<ColumnDoc>();
    if (!c) throw badRequest('栏目不存在或已停用', [{ path: 'body.columnId', message: '栏目不存在或已停用' }]);
    return c;
  }

  /** The scope: townships or communities that exist; empty (or naming the county) is the whole county. */
  async function regionScope(ids: string[]): Promise<RegionScope> {
    return scopeOf(await scopeRegions(ctx, ids, '文章')) ?? { regionIds: [], regionPaths: [], regionNames: [] };
  }

  async function assertCover(id: string | null | undefined): Promise<void> {
    if (id && !(await photoService(ctx).exists(id))) throw badRequest('封面图片不存在，请重新上传', [{ path: 'body.coverPhotoId', message: '图片不存在，请重新上传' }]);
  }

  /** Body, summary and search terms from what was written: the fields every save recomputes. */
  function contentFields(title: string, summary: string, rawBody: string) {
    const { bodyHtml, text } = cleanArticleBody(rawBody);
    const summaryAuto = summary.trim() === '';
    const finalSummary = summaryAuto ? autoSummary(text) : summary.trim();
    return { bodyHtml, summary: finalSummary, summaryAuto, searchTerms: documentTerms(title, finalSummary, text) };
  }

  async function load(id: string): Promise<ArticleDoc> {
    const a = await Article.findById(id).lean<ArticleDoc>();
    if (!a) throw notFound('文章');
    return a;
  }

  async function detail(a: ArticleDoc, user: AuthUser): Promise<ArticleManageDetail> {
    const stats = await ArticleStats.findById(a._id).lean<ArticleStatsDoc>();
    return toManageDetail(a, stats, user);
  }

  return {
    load,
    detail,

    async get(user: AuthUser, id: string): Promise<ArticleManageDetail> {
      return detail(await load(id), user);
    },

    /**
     * A new draft; a retry with the same key gets the first draft (`created` false: the route answers 200).
     * `opts.id`: the demo seed's ids from the story's time (lists page by `_id`, and a seed is repeatable).
     * `opts.tipId`: the news tip (爆料) the draft is written from (server/tips), kept on the article.
     */
    async create(user: AuthUser, body: CreateArticleBody, opts: { id?: Types.ObjectId; tipId?: Types.ObjectId } = {}): Promise<{ article: ArticleManageDetail; created: boolean }> {
      const createdById = new Types.ObjectId(user.id);
      const { idempotencyKey, ...content } = body;
      const hash = requestHash({ ...content, regionIds: [...new Set(content.regionIds)].sort() });
      const { doc, created } = await createOnce({
        findFirst: () => Article.findOne({ createdById, idempotencyKey }).lean<ArticleDoc>(),
        hash,
        hashOf: (a) => a.createHash,
        insert: async () => {
          const column = await activeColumn(body.columnId);
          const scope = await regionScope(body.regionIds);
          await assertCover(body.coverPhotoId);
          const a = await Article.create({
            ...(opts.id ? { _id: opts.id } : {}),
            columnId: column._id,
            columnCode: column.code,
            columnName: column.name,
            title: body.title,
            ...contentFields(body.title, body.summary, body.bodyHtml),
            coverPhotoId: body.coverPhotoId,
            source: body.source,
            author: body.author,
            ...scope,
            state: 'draft',
            reviewLevels: column.reviewLevels,
            reviewLevel: null,
            emergency: column.emergency,
            createdById,
            createdByName: user.name,
            idempotencyKey,
            createHash: hash,
            ...(opts.tipId ? { tipId: opts.tipId } : {}),
            version: 0,
            history: [articleEvent(ctx.now(), 'create', user)],
          });
          return a.toObject() as ArticleDoc;
        },
      });
      return { article: await detail(doc, user), created };
    },

    /**
     * Drafts (sent back included) and withdrawn articles only; by any editor (the writer is an
     * editor). `version` is the one the edit was made on: one conditional write on it, so of two
     * edits made on the same version one wins and the other is a 409 (never a silent overwrite).
     */
    async update(user: AuthUser, id: string, body: Omit<UpdateArticleBody, 'version'>, version: number): Promise<ArticleManageDetail> {
      if (!hasRole(user, 'editor')) throw forbidden('只有编辑可以修改文章');
      const a = await load(id);
      if (a.state !== 'draft' && a.state !== 'withdrawn') throw editRefused(a.state);
      if ((a.version ?? 0) !== version) throw staleVersion(a.version);
      await hooks.afterEditRead?.();
      const set: Record<string, unknown> = {};
      if (body.columnId !== undefined && body.columnId !== String(a.columnId)) {
        const c = await activeColumn(body.columnId);
        Object.assign(set, { columnId: c._id, columnCode: c.code, columnName: c.name, reviewLevels: c.reviewLevels, emergency: c.emergency });
      }
      if (body.regionIds !== undefined) Object.assign(set, await regionScope(body.regionIds));
      if (body.coverPhotoId !== undefined) {
        await assertCover(body.coverPhotoId);
        set.coverPhotoId = body.coverPhotoId;
      }
      for (const k of ['source', 'author'] as const) if (body[k] !== undefined) set[k] = body[k];
      const title = body.title ?? a.title;
      // A summary the writer typed stays until they change it; one taken from the body follows the body.
      const summary = body.summary ?? (a.summaryAuto ? '' : a.summary);
      Object.assign(set, { title, ...contentFields(title, summary, body.bodyHtml ?? a.bodyHtml) });
      const updated = await Article.findOneAndUpdate(
        { _id: a._id, state: { $in: ['draft', 'withdrawn'] }, version: versionFilter(version) },
        { $set: set, $inc: { version: 1 }, $push: { history: articleEvent(ctx.now(), 'edit', user) } },
        { returnDocument: 'after' },
      ).lean<ArticleDoc>();
      if (!updated) {
        const now = await load(id);
        if (now.state !== 'draft' && now.state !== 'withdrawn') throw editRefused(now.state);
        throw staleVersion(now.version);
      }
      return detail(updated, user);
    },

    async list(user: AuthUser, query: ManageQuery): Promise<ArticleManagePage> {
      const filter: Record<string, unknown> = {};
      if (query.state) {
        const states = [...new Set(query.state.split(','))];
        const bad = states.find((s) => !(ARTICLE_STATES as readonly string[]).includes(s));
        if (bad) throw badRequest(`未知的文章状态：${bad}`, [{ path: 'query.state', message: `可选：${ARTICLE_STATES.join('、')}` }]);
        filter.state = states.length === 1 ? states[0] : { $in: states };
      }
      if (query.level !== undefined) {
        if (query.state && query.state !== 'review') throw badRequest('按审核级别查询时状态只能是审核中', [{ path: 'query.state', message: '与 level 冲突' }]);
        filter.state = 'review';
        filter.reviewLevel = query.level;
      }
      if (query.mine === 'true') filter.createdById = new Types.ObjectId(user.id);
      if (query.column) filter.columnCode = query.column;
      if (query.q) {
        const terms = queryTerms(query.q);
        if (terms.length === 0) return { items: [], nextCursor: null };
        filter.searchTerms = { $all: terms };
      }
      const after = decodeIdCursor(query.cursor);
      if (after) filter._id = { $lt: new Types.ObjectId(after) };
      const docs = await Article.find(filter, { bodyHtml: 0, history: 0, searchTerms: 0 }).sort({ _id: -1 }).limit(query.limit + 1).lean<ArticleDoc[]>();
      const page = docs.slice(0, query.limit);
      return { items: page.map(toManageItem), nextCursor: docs.length > query.limit ? encodeIdCursor(page[page.length - 1]._id) : null };
    },

    async counts(): Promise<ManageCounts> {
      const [l1, l2, l3, drafts, scheduled, moderation] = await Promise.all([
        Article.countDocuments({ state: 'review', reviewLevel: 1 }),
        Article.countDocuments({ state: 'review', reviewLevel: 2 }),
        Article.countDocuments({ state: 'review', reviewLevel: 3 }),
        Article.countDocuments({ state: 'draft' }),
        Article.countDocuments({ state: 'scheduled' }),
        Comment.countDocuments({ state: { $in: ['held', 'hidden'] } }),
      ]);
      return { review: { 1: l1, 2: l2, 3: l3 }, drafts, scheduled, moderation };
    },
  };
}

export const editRefused = (state: ArticleStateName) => invalidState(`文章当前状态为「${stateLabel(state)}」，不能修改（只有草稿和已撤回的文章可以修改）`);

export type ArticleService = ReturnType<typeof articleService>;
