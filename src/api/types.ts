// API shapes of /api/v1: types only, from the server's zod schemas (the one definition of each
// shape). `import type` is erased at build time, so no validation library reaches the bundle.
import type { z } from 'zod';
import type { Region, RegionLevel, RegionList, RegionSummary, ListRegionsQuery, NearestRegions, NearestRegionsQuery } from '../../server/regions/schemas';
import type { Me, UpdateMeBody } from '../../server/users/schemas';
import type { DevLoginBody, FailedLogin, FailedLoginList, LoginMethods, PasswordLoginBody, RefreshBody, Session, WechatLoginBody } from '../../server/auth/schemas';
export type { FailedLogin, FailedLoginList };
import type { ErrorBody } from '../../server/core/errors';
import type { Role } from '../../common/roles';
import type { Paged } from '../../server/core/validate';
import type { Category } from '../../server/categories/schemas';
import type { Department } from '../../server/departments/schemas';
export type { Category, Department };
import type { SuggestResult } from '../../server/suggest/schemas';
/** One ranked category of `POST /categories/suggest` (智能分类), with its score (0..1). */
export type CategorySuggestion = SuggestResult['items'][number];
import type { BindingCode, BoundRoom, BoundRoomList, CreateBindingCodeBody } from '../../server/bindings/schemas';

export type { LoginMethods, Me, Region, RegionList, RegionSummary, Role, Session, Paged, BindingCode, BoundRoom };
export type RegionLevel = z.infer<typeof RegionLevel>;
export type ApiErrorBody = ErrorBody;
export type ApiErrorDetail = NonNullable<ErrorBody['error']['details']>[number];

export type WechatLoginInput = z.input<typeof WechatLoginBody>;
export type DevLoginInput = z.input<typeof DevLoginBody>;
export type PasswordLoginInput = z.input<typeof PasswordLoginBody>;
export type RefreshInput = z.input<typeof RefreshBody>;
export type UpdateMeInput = z.input<typeof UpdateMeBody>;
export type RegionListQuery = Partial<z.output<typeof ListRegionsQuery>>;
export type { NearestRegions };
/** `GET /regions/nearest`'s query (the schema coerces query strings, so its input type is loose). */
export type NearestRegionsInput = { lat: number; lng: number } & Partial<Pick<z.output<typeof NearestRegionsQuery>, 'level' | 'limit'>>;
export type CreateBindingCodeInput = z.input<typeof CreateBindingCodeBody>;
export type BoundRoomListResponse = z.output<typeof BoundRoomList>;

// Appeals (诉求): server/appeals/schemas.ts
import type {
  AppealCounts,
  AppealDetail,
  AppealPage,
  AppealSummary,
  AllowedAction,
  CreateAppealBody,
  ListAppealsQuery,
  MoveBodies,
  TimelineEntry,
} from '../../server/appeals/schemas';
import type { PhotoRef, UploadedPhoto } from '../../server/photos/schemas';
import type { AppealKind, AppealState, Move } from '../../server/appeals/state-machine';
export type { AppealCounts, AppealDetail, AppealPage, AppealSummary, AllowedAction, MoveBodies, TimelineEntry, PhotoRef, UploadedPhoto, AppealKind, AppealState, Move };
export type CreateAppealInput = z.input<typeof CreateAppealBody>;
/** A point chosen on the map for a filing (GCJ-02): `{ lat, lng, name?, address? }`. */
export type AppealLocationInput = NonNullable<CreateAppealInput['location']>;
/** The point as the viewer may see it (exact, or rounded for public readers). */
export type AppealLocationView = NonNullable<AppealDetail['location']>;
export type AppealListQuery = Partial<Omit<z.output<typeof ListAppealsQuery>, 'state'>> & { state?: string };
// The public board (公开诉求): server/appeals/board-schemas.ts
import type { BoardDetail, BoardItem, BoardPage, BoardQuery, UnpublishBody } from '../../server/appeals/board-schemas';
export type { BoardDetail, BoardItem, BoardPage };
export type BoardListQuery = Partial<z.output<typeof BoardQuery>>;
export type UnpublishInput = z.input<typeof UnpublishBody>;
import type { BoardRates, BoardRatesQuery } from '../../server/board/schemas';
export type { BoardRates };
export type BoardRatesInput = z.input<typeof BoardRatesQuery>;

// News (栏目, articles, comments): server/news/schemas.ts
import type {
  ArticleAction,
  ArticleDetail,
  ArticleEvent,
  ArticleManageDetail,
  ArticleManageItem,
  ArticleManagePage,
  ArticleMoveBodies,
  ArticlePage,
  ArticleState,
  ArticleSummary,
  Column,
  Comment,
  CommentPage,
  CreateArticleBody,
  CreateCommentBody,
  FeedQuery,
  LikeResult,
  ManageCounts,
  ManageQuery,
  ModerationDecisionBody,
  ModerationItem,
  ModerationPage,
  ModerationQuery,
  ReportResult,
  UpdateArticleBody,
} from '../../server/news/schemas';
export type {
  ArticleAction,
  ArticleDetail,
  ArticleEvent,
  ArticleManageDetail,
  ArticleManageItem,
  ArticleManagePage,
  ArticlePage,
  ArticleState,
  ArticleSummary,
  Column,
  Comment,
  CommentPage,
  LikeResult,
  ManageCounts,
  ModerationItem,
  ReportResult,
};
export type ArticleMovesInput = { [A in keyof typeof ArticleMoveBodies]: z.input<(typeof ArticleMoveBodies)[A]> };
export type CreateArticleInput = z.input<typeof CreateArticleBody>;
export type UpdateArticleInput = z.input<typeof UpdateArticleBody>;
export type FeedListQuery = Partial<z.output<typeof FeedQuery>>;
export type ArticleManageQuery = Partial<z.output<typeof ManageQuery>>;
export type CreateCommentInput = z.input<typeof CreateCommentBody>;
export type ModerationListQuery = Partial<z.output<typeof ModerationQuery>>;
export type ModerationDecisionInput = z.input<typeof ModerationDecisionBody>;
export type ModerationPageResponse = z.output<typeof ModerationPage>;

// Notices (通知公告): server/notices/schemas.ts
import type {
  CreateNoticeBody,
  NoticeDelivery,
  NoticeDeliveryList,
  NoticeDetail,
  NoticeLevel,
  NoticeListQuery,
  NoticeManageItem,
  NoticeManagePage,
  NoticeManageQuery,
  NoticePage,
  NoticeState,
  NoticeSummary,
  UpdateNoticeBody,
} from '../../server/notices/schemas';
export type { NoticeDelivery, NoticeDeliveryList, NoticeDetail, NoticeLevel, NoticeManageItem, NoticePage, NoticeState, NoticeSummary };
export type NoticeManagePageResponse = z.output<typeof NoticeManagePage>;
export type CreateNoticeInput = z.input<typeof CreateNoticeBody>;
export type UpdateNoticeInput = z.input<typeof UpdateNoticeBody>;
export type NoticeListParams = Partial<z.output<typeof NoticeListQuery>>;
export type NoticeManageParams = Partial<z.output<typeof NoticeManageQuery>>;

// The services directory (服务): server/service-directory/schemas.ts
import type { CreateServiceEntryBody, ServiceEntry, ServiceEntryList, UpdateServiceEntryBody } from '../../server/service-directory/schemas';
export type { ServiceEntry, ServiceEntryList };
export type CreateServiceEntryInput = z.input<typeof CreateServiceEntryBody>;
export type UpdateServiceEntryInput = z.input<typeof UpdateServiceEntryBody>;

// Subscribe messages (订阅消息): server/subscriptions/schemas.ts
import type { GrantCounts, RecordGrantsBody, SubscriptionTemplateList } from '../../server/subscriptions/schemas';
export type { GrantCounts, SubscriptionTemplateList };
export type RecordGrantsInput = z.input<typeof RecordGrantsBody>;

// Open311 API keys (admins): server/open311/schemas.ts
import type { IssuedOpen311Key, IssueOpen311KeyBody, Open311Key, Open311KeyList } from '../../server/open311/schemas';
export type { IssuedOpen311Key, Open311Key, Open311KeyList };
export type IssueOpen311KeyInput = z.input<typeof IssueOpen311KeyBody>;

// Measures (统计: 三率, trends, per unit, monthly rankings, the county dashboard): server/measures/schemas.ts
import type { Dashboard, Groups, GroupsQuery, IssueScreenKeyBody, IssuedScreenKey, Measures, MeasuresQuery, Rankings, RankingsQuery, ScreenKey, ScreenKeyList, Series, SeriesQuery } from '../../server/measures/schemas';
export type { IssueScreenKeyBody, IssuedScreenKey, ScreenKey, ScreenKeyList };
export type { Dashboard, Groups, Measures, Rankings, Series };
export type MeasuresParams = z.input<typeof MeasuresQuery>;
export type SeriesParams = z.input<typeof SeriesQuery>;
export type GroupsParams = z.input<typeof GroupsQuery>;
export type RankingsParams = z.input<typeof RankingsQuery>;
/** One rate as the server sends it: value 0..1 (null when nothing was due), numerator, denominator. */
export type RateFigure = Measures['rates']['response'];
export type RateName = keyof Measures['rates'];
export type RankedUnit = Rankings['items'][number];
export type GroupItem = Groups['items'][number];

// News tips (爆料): the tips face, server/tips/index.ts (schemas.ts holds the shapes)
import type { CreateTipBody, FromAppealBody, FromAppealResult, ListTipsQuery, TipDetail, TipMoveBodies, TipPage, TipState, TipSummary } from '../../server/tips';
export type { FromAppealResult, TipDetail, TipPage, TipState, TipSummary };
export type FromAppealInput = z.input<typeof FromAppealBody>;
export type CreateTipInput = z.input<typeof CreateTipBody>;
export type TipListQuery = Partial<z.output<typeof ListTipsQuery>>;
export type TipMovesInput = { [A in keyof typeof TipMoveBodies]: z.input<(typeof TipMoveBodies)[A]> };
export type TipMove = keyof TipMovesInput;
export type TipEvent = TipDetail['history'][number];

// Consultations (议事): the consultations face, server/consultations/index.ts (schemas.ts holds the shapes)
import type { ConsultationDetail, ConsultationPage, ConsultationState, ConsultationSummary, CreateConsultationBody, MyVote } from '../../server/consultations';
export type { ConsultationDetail, ConsultationPage, ConsultationState, ConsultationSummary, MyVote };
export type CreateConsultationInput = z.input<typeof CreateConsultationBody>;
/** The list's tabs and the reviewers' queue (the face does not export ListConsultationsQuery). */
export type ConsultationListQuery = { state?: 'open' | 'closed' | 'pending'; cursor?: string; limit?: number };
export type ConsultationOption = ConsultationDetail['options'][number];
/** The staff moves and their bodies (server ConsultationMoveBodies; the version goes with each). */
export type ConsultationMovesInput = {
  approve: { version: number };
  reject: { version: number; reason: string };
  close: { version: number };
  decision: { version: number; body: string };
};
export type ConsultationMove = keyof ConsultationMovesInput;
