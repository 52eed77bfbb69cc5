// API shapes of /api/v1: types only, from the server's zod schemas (the one definition of each
// shape). `import type` is erased at build time, so no validation library reaches the bundle.
import type { z } from 'zod';
import type { Region, RegionLevel, RegionList, RegionSummary, ListRegionsQuery } from '../../server/regions/schemas';
import type { Me, UpdateMeBody } from '../../server/users/schemas';
import type { DevLoginBody, LoginMethods, PasswordLoginBody, RefreshBody, Session, WechatLoginBody } from '../../server/auth/schemas';
import type { ErrorBody } from '../../server/core/errors';
import type { Role } from '../../server/users/roles';
import type { Paged } from '../../server/core/validate';
import type { Category } from '../../server/categories/schemas';
import type { Department } from '../../server/departments/schemas';
export type { Category, Department };
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
export type AppealListQuery = Partial<Omit<z.output<typeof ListAppealsQuery>, 'state'>> & { state?: string };
