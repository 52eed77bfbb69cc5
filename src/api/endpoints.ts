// Every server endpoint the mini-program calls, in one place.
import { request, type RequestOptions } from './request';
import type {
  BindingCode,
  BoundRoomListResponse,
  CreateBindingCodeInput,
  DevLoginInput,
  FailedLoginList,
  LoginMethods,
  Me,
  Paged,
  PasswordLoginInput,
  NearestRegions,
  NearestRegionsInput,
  Region,
  RegionListQuery,
  Session,
  UpdateMeInput,
  WechatLoginInput,
  AppealCounts,
  AppealDetail,
  AppealListQuery,
  AppealPage,
  AppealSummary,
  BoardDetail,
  BoardListQuery,
  BoardPage,
  BoardRates,
  BoardRatesInput,
  UnpublishInput,
  Category,
  CategorySuggestion,
  CreateAppealInput,
  Department,
  Move,
  MoveBodies,
  ArticleDetail,
  ArticleManageDetail,
  ArticleManagePage,
  ArticleManageQuery,
  ArticleMovesInput,
  ArticlePage,
  Column,
  Comment,
  CommentPage,
  CreateArticleInput,
  CreateCommentInput,
  CreateNoticeInput,
  CreateServiceEntryInput,
  FeedListQuery,
  LikeResult,
  ManageCounts,
  ModerationDecisionInput,
  ModerationListQuery,
  ModerationPageResponse,
  NoticeDeliveryList,
  NoticeDetail,
  NoticeListParams,
  NoticeManageItem,
  NoticeManagePageResponse,
  NoticeManageParams,
  NoticePage,
  ReportResult,
  ServiceEntry,
  ServiceEntryList,
  UpdateArticleInput,
  UpdateNoticeInput,
  UpdateServiceEntryInput,
  GrantCounts,
  IssuedOpen311Key,
  IssueOpen311KeyInput,
  Open311Key,
  Open311KeyList,
  RecordGrantsInput,
  SubscriptionTemplateList,
  Dashboard,
  Groups,
  GroupsParams,
  Measures,
  MeasuresParams,
  Rankings,
  RankingsParams,
  Series,
  SeriesParams,
  CreateTipInput,
  FromAppealInput,
  FromAppealResult,
  TipDetail,
  TipListQuery,
  TipMovesInput,
  TipPage,
  ConsultationDetail,
  ConsultationListQuery,
  ConsultationMovesInput,
  ConsultationPage,
  CreateConsultationInput,
  MyVote,
  IssueScreenKeyBody,
  IssuedScreenKey,
  ScreenKey,
  ScreenKeyList,
} from './types';

type Extra = Pick<RequestOptions, 'toast' | 'headers'>;

export const authApi = {
  methods: (extra?: Extra) => request<LoginMethods>('/auth/methods', { auth: false, ...extra }),
  wechatLogin: (body: WechatLoginInput, extra?: Extra) =>
    request<Session>('/auth/wechat-login', { method: 'POST', data: body, auth: false, ...extra }),
  devLogin: (body: DevLoginInput, extra?: Extra) =>
    request<Session>('/auth/dev-login', { method: 'POST', data: body, auth: false, ...extra }),
  /** The H5 sign-in through WeChat: the one-time ticket the server's WeChat callback handed back. */
  wechatWebSession: (ticket: string, extra?: Extra) =>
    request<Session>('/auth/wechat-web/session', { method: 'POST', data: { ticket }, auth: false, ...extra }),
  passwordLogin: (body: PasswordLoginInput, extra?: Extra) =>
    request<Session>('/auth/password-login', { method: 'POST', data: body, auth: false, ...extra }),
  logout: (refreshToken: string) =>
    request<void>('/auth/logout', { method: 'POST', data: { refreshToken }, auth: false, toast: false }),
  /** Admins: failed password sign-ins of the last day (登录失败记录). */
  failedLogins: (extra?: Extra) => request<FailedLoginList>('/auth/failed-logins', { ...extra }),
};

export const meApi = {
  get: (extra?: Extra) => request<Me>('/me', { ...extra }),
  update: (body: UpdateMeInput, extra?: Extra) => request<Me>('/me', { method: 'PATCH', data: body, ...extra }),
};

export const regionsApi = {
  list: (query: RegionListQuery = {}, extra?: Extra) =>
    request<Paged<Region>>('/regions', { query: { ...query }, auth: false, ...extra }),
  get: (id: string, extra?: Extra) => request<Region>(`/regions/${encodeURIComponent(id)}`, { auth: false, ...extra }),
  /** The regions of a level whose centres are nearest to a point (within 10 km), nearest first. */
  nearest: (query: NearestRegionsInput, extra?: Extra) => request<NearestRegions>('/regions/nearest', { query: { ...query }, ...extra }),
};

/** Staff: one-time binding codes (a group chat for a community, or one's own WeChat) and bound rooms. */
export const bindingsApi = {
  createCode: (body: CreateBindingCodeInput, extra?: Extra) =>
    request<BindingCode>('/binding-codes', { method: 'POST', data: body, ...extra }),
  listRooms: (extra?: Extra) => request<BoundRoomListResponse>('/rooms', { ...extra }),
};

/**
 * Appeals (诉求). Moves are one POST each (`/appeals/:id/accept` ...); the detail's
 * `allowedActions` says which the caller may make now. Photos are uploaded first (src/api/upload.ts)
 * and sent by id.
 */
export const appealsApi = {
  create: (body: CreateAppealInput, extra?: Extra) => request<AppealDetail>('/appeals', { method: 'POST', data: body, ...extra }),
  list: (query: AppealListQuery = {}, extra?: Extra) => request<AppealPage>('/appeals', { query: { ...query }, ...extra }),
  counts: (extra?: Extra) => request<AppealCounts>('/appeals/counts', { ...extra }),
  get: (id: string, extra?: Extra) => request<AppealDetail>(`/appeals/${encodeURIComponent(id)}`, { ...extra }),
  similar: (query: { categoryId: string; regionId: string }, extra?: Extra) =>
    request<{ items: AppealSummary[] }>('/appeals/similar', { query: { ...query }, ...extra }),
  move: <M extends Move & keyof MoveBodies>(id: string, move: M, body: MoveBodies[M], extra?: Extra) =>
    request<AppealDetail>(`/appeals/${encodeURIComponent(id)}/${move}`, { method: 'POST', data: body, ...extra }),
  remind: (id: string, extra?: Extra) => request<AppealDetail>(`/appeals/${encodeURIComponent(id)}/remind`, { method: 'POST', data: {}, ...extra }),
  follow: (id: string, extra?: Extra) => request<AppealDetail>(`/appeals/${encodeURIComponent(id)}/follow`, { method: 'POST', data: {}, ...extra }),
  review: (id: string, body: { note?: string } = {}, extra?: Extra) =>
    request<AppealDetail>(`/appeals/${encodeURIComponent(id)}/review`, { method: 'POST', data: body, ...extra }),
  /** 撤下: a dispatcher takes an answered public appeal off the board, with a reason and the version it saw. */
  unpublish: (id: string, body: UnpublishInput, extra?: Extra) =>
    request<AppealDetail>(`/appeals/${encodeURIComponent(id)}/unpublish`, { method: 'POST', data: body, ...extra }),
};

/** The public board (公开诉求): answered public appeals, masked, for anyone (no sign-in). */
export const boardApi = {
  list: (query: BoardListQuery = {}, extra?: Extra) => request<BoardPage>('/board', { query: { ...query }, auth: false, ...extra }),
  get: (id: string, extra?: Extra) => request<BoardDetail>(`/board/${encodeURIComponent(id)}`, { auth: false, ...extra }),
  /** This month's (or `month`'s) rates and rank of every township and handling unit. */
  rates: (query: BoardRatesInput = {}, extra?: Extra) => request<BoardRates>('/board/rates', { query: { ...query }, auth: false, ...extra }),
};

export const categoriesApi = {
  list: (extra?: Extra) => request<{ items: Category[] }>('/categories', { auth: false, ...extra }),
  /** The active categories most likely for a free text, most likely first (signed in; its own rate limit). */
  suggest: (body: { text: string; limit?: number }, extra?: Extra) => request<{ items: CategorySuggestion[] }>('/categories/suggest', { method: 'POST', data: body, ...extra }),
};

export const departmentsApi = {
  list: (extra?: Extra) => request<{ items: Department[] }>('/departments', { ...extra }),
};

const id = (v: string) => encodeURIComponent(v);

/** Columns (栏目): the home page's tabs. */
export const columnsApi = {
  list: (extra?: Extra) => request<{ items: Column[] }>('/columns', { auth: false, ...extra }),
};

/**
 * Readers' news. The feed is the same for everyone (cached on the server, so no token is sent);
 * an article is read with the token, so it says whether the reader liked it.
 */
export const newsApi = {
  feed: (query: FeedListQuery = {}, extra?: Extra) => request<ArticlePage>('/news/feed', { query: { ...query }, auth: false, ...extra }),
  search: (query: { q: string; cursor?: string; limit?: number }, extra?: Extra) =>
    request<ArticlePage>('/news/search', { query: { ...query }, auth: false, ...extra }),
  get: (articleId: string, extra?: Extra) => request<ArticleDetail>(`/news/articles/${id(articleId)}`, { ...extra }),
  like: (articleId: string, extra?: Extra) => request<LikeResult>(`/news/articles/${id(articleId)}/like`, { method: 'PUT', data: {}, ...extra }),
  unlike: (articleId: string, extra?: Extra) => request<LikeResult>(`/news/articles/${id(articleId)}/like`, { method: 'DELETE', ...extra }),
};

/** Comments: readers write and report; editors moderate. */
export const commentsApi = {
  /** Under an article or a consultation (one of the two ids). */
  list: (query: ({ articleId: string } | { consultationId: string }) & { cursor?: string; limit?: number }, extra?: Extra) => request<CommentPage>('/comments', { query: { ...query }, ...extra }),
  create: (body: CreateCommentInput, extra?: Extra) => request<Comment>('/comments', { method: 'POST', data: body, ...extra }),
  report: (commentId: string, body: { reason?: string } = {}, extra?: Extra) =>
    request<ReportResult>(`/comments/${id(commentId)}/report`, { method: 'POST', data: body, ...extra }),
  moderation: (query: ModerationListQuery = {}, extra?: Extra) => request<ModerationPageResponse>('/comments/moderation', { query: { ...query }, ...extra }),
  decide: (commentId: string, body: ModerationDecisionInput, extra?: Extra) =>
    request<Comment>(`/comments/${id(commentId)}/decision`, { method: 'POST', data: body, ...extra }),
};

/** The newsroom (editors, reviewers): write, submit, review per level, schedule, publish, withdraw, pin. */
export const articlesApi = {
  list: (query: ArticleManageQuery = {}, extra?: Extra) => request<ArticleManagePage>('/articles', { query: { ...query }, ...extra }),
  counts: (extra?: Extra) => request<ManageCounts>('/articles/counts', { ...extra }),
  get: (articleId: string, extra?: Extra) => request<ArticleManageDetail>(`/articles/${id(articleId)}`, { ...extra }),
  create: (body: CreateArticleInput, extra?: Extra) => request<ArticleManageDetail>('/articles', { method: 'POST', data: body, ...extra }),
  update: (articleId: string, body: UpdateArticleInput, extra?: Extra) =>
    request<ArticleManageDetail>(`/articles/${id(articleId)}`, { method: 'PATCH', data: body, ...extra }),
  move: <A extends keyof ArticleMovesInput>(articleId: string, action: A, body: ArticleMovesInput[A], extra?: Extra) =>
    request<ArticleManageDetail>(`/articles/${id(articleId)}/${action}`, { method: 'POST', data: body, ...extra }),
};

/** Notices (通知公告): readers' list and detail; staff write, publish to group chats, withdraw, follow deliveries. */
export const noticesApi = {
  list: (query: NoticeListParams = {}, extra?: Extra) => request<NoticePage>('/notices', { query: { ...query }, auth: false, ...extra }),
  get: (noticeId: string, extra?: Extra) => request<NoticeDetail>(`/notices/${id(noticeId)}`, { auth: false, ...extra }),
  manage: (query: NoticeManageParams = {}, extra?: Extra) => request<NoticeManagePageResponse>('/notices/manage', { query: { ...query }, ...extra }),
  getManaged: (noticeId: string, extra?: Extra) => request<NoticeManageItem>(`/notices/manage/${id(noticeId)}`, { ...extra }),
  create: (body: CreateNoticeInput, extra?: Extra) => request<NoticeManageItem>('/notices', { method: 'POST', data: body, ...extra }),
  update: (noticeId: string, body: UpdateNoticeInput, extra?: Extra) =>
    request<NoticeManageItem>(`/notices/${id(noticeId)}`, { method: 'PATCH', data: body, ...extra }),
  publish: (noticeId: string, extra?: Extra) => request<NoticeManageItem>(`/notices/${id(noticeId)}/publish`, { method: 'POST', data: {}, ...extra }),
  withdraw: (noticeId: string, body: { reason: string }, extra?: Extra) =>
    request<NoticeManageItem>(`/notices/${id(noticeId)}/withdraw`, { method: 'POST', data: body, ...extra }),
  deliveries: (noticeId: string, extra?: Extra) => request<NoticeDeliveryList>(`/notices/${id(noticeId)}/deliveries`, { ...extra }),
};

/** The services directory (服务): everyone reads it; admins edit it (the bot answers from the same list). */
export const servicesApi = {
  list: (query: { all?: 'true' } = {}, extra?: Extra) => request<ServiceEntryList>('/services', { query: { ...query }, auth: !!query.all, ...extra }),
  create: (body: CreateServiceEntryInput, extra?: Extra) => request<ServiceEntry>('/services', { method: 'POST', data: body, ...extra }),
  update: (entryId: string, body: UpdateServiceEntryInput, extra?: Extra) =>
    request<ServiceEntry>(`/services/${id(entryId)}`, { method: 'PATCH', data: body, ...extra }),
};

/** Subscribe messages (订阅消息): the templates to ask for, the caller's remaining grants, what requestSubscribeMessage answered. */
export const subscriptionsApi = {
  templates: (extra?: Extra) => request<SubscriptionTemplateList>('/subscriptions/templates', { auth: false, ...extra }),
  grants: (extra?: Extra) => request<GrantCounts>('/subscriptions/grants', { ...extra }),
  report: (body: RecordGrantsInput, extra?: Extra) => request<GrantCounts>('/subscriptions/grants', { method: 'POST', data: body, ...extra }),
};

/** Admins: the Open311 API keys outside systems file appeals with (the key itself comes only in issue's answer). */
export const open311Api = {
  keys: (extra?: Extra) => request<Open311KeyList>('/open311/keys', { ...extra }),
  issue: (body: IssueOpen311KeyInput, extra?: Extra) => request<IssuedOpen311Key>('/open311/keys', { method: 'POST', data: body, ...extra }),
  revoke: (keyId: string, extra?: Extra) => request<Open311Key>(`/open311/keys/${id(keyId)}/revoke`, { method: 'POST', data: {}, ...extra }),
};

/** Staff: appeal measures (三率 and 按期办结率) in the caller's scope, trends, per unit, monthly rankings, the county dashboard. */
export const measuresApi = {
  figures: (query: MeasuresParams, extra?: Extra) => request<Measures>('/measures', { query: { ...query }, ...extra }),
  series: (query: SeriesParams, extra?: Extra) => request<Series>('/measures/series', { query: { ...query }, ...extra }),
  groups: (query: GroupsParams, extra?: Extra) => request<Groups>('/measures/groups', { query: { ...query }, ...extra }),
  rankings: (query: RankingsParams, extra?: Extra) => request<Rankings>('/measures/rankings', { query: { ...query }, ...extra }),
  dashboard: (extra?: Extra) => request<Dashboard>('/measures/dashboard', { ...extra }),
  /** The county's dashboard on a big screen, with its key instead of anyone's sign-in. */
  screen: (key: string, extra?: Extra) => request<Dashboard>('/measures/screen', { auth: false, headers: { 'X-Screen-Key': key }, ...extra }),
  /** Admins: the big screens' links (大屏链接). */
  screens: (extra?: Extra) => request<ScreenKeyList>('/measures/screens', { ...extra }),
  issueScreen: (body: IssueScreenKeyBody, extra?: Extra) => request<IssuedScreenKey>('/measures/screens', { method: 'POST', data: body, ...extra }),
  revokeScreen: (keyId: string, extra?: Extra) => request<ScreenKey>(`/measures/screens/${id(keyId)}/revoke`, { method: 'POST', data: {}, ...extra }),
};

/**
 * News tips (爆料): residents send and read their own (view=mine); the newsroom reads the queue
 * (view=queue, by state) and moves a tip, each move with the version it was shown (409 when stale).
 */
export const tipsApi = {
  create: (body: CreateTipInput, extra?: Extra) => request<TipDetail>('/tips', { method: 'POST', data: body, ...extra }),
  list: (query: TipListQuery = {}, extra?: Extra) => request<TipPage>('/tips', { query: { ...query }, ...extra }),
  get: (tipId: string, extra?: Extra) => request<TipDetail>(`/tips/${id(tipId)}`, { ...extra }),
  // The path spells a move's name with a hyphen (to_appeal → /to-appeal).
  move: <A extends keyof TipMovesInput>(tipId: string, action: A, body: TipMovesInput[A], extra?: Extra) =>
    request<TipDetail>(`/tips/${id(tipId)}/${action.replace(/_/g, '-')}`, { method: 'POST', data: body, ...extra }),
  /** 转为新闻线索: a dispatcher sends a submitted appeal to the newsroom (with the appeal's version). */
  fromAppeal: (body: FromAppealInput, extra?: Extra) => request<FromAppealResult>('/tips/from-appeal', { method: 'POST', data: body, ...extra }),
};

/**
 * Consultations (议事): the lists (投票中 / 已结束; 待审核 for writers and reviewers), one with its
 * results, a resident's vote (sent again to change it), and the staff moves, each with the version shown.
 */
export const consultationsApi = {
  list: (query: ConsultationListQuery = {}, extra?: Extra) => request<ConsultationPage>('/consultations', { query: { ...query }, ...extra }),
  // The server's ETag is the version, which votes do not change: a browser revalidating it gets a 304 and
  // shows stale counts and choice. `no-cache` makes the H5 build fetch afresh (wx.request keeps no HTTP cache).
  get: (consultationId: string, extra?: Extra) =>
    request<ConsultationDetail>(`/consultations/${id(consultationId)}`, { ...extra, headers: { 'Cache-Control': 'no-cache', ...extra?.headers } }),
  vote: (consultationId: string, choices: number[], extra?: Extra) =>
    request<MyVote>(`/consultations/${id(consultationId)}/vote`, { method: 'PUT', data: { choices }, ...extra }),
  create: (body: CreateConsultationInput, extra?: Extra) => request<ConsultationDetail>('/consultations', { method: 'POST', data: body, ...extra }),
  move: <A extends keyof ConsultationMovesInput>(consultationId: string, action: A, body: ConsultationMovesInput[A], extra?: Extra) =>
    request<ConsultationDetail>(`/consultations/${id(consultationId)}/${action}`, { method: 'POST', data: body, ...extra }),
};
