/**
 * Request and response shapes of the bot endpoints (docs/ARCHITECTURE.md "Binding"; appeals,
 * photos, outbox), taken from the server's zod schemas (server/<feature>/schemas.ts). Type-only
 * imports: nothing of the server or of zod ends up in the bot at runtime.
 *
 * Requests are the schemas' input types (what the bot may send: defaults are optional),
 * responses their output types (what the server answers).
 */
import type { z } from 'zod';
import type {
  BoundRoom,
  BoundRoomList,
  RedeemBindingBody,
  RedeemResult,
  UnbindResult,
  UnbindRoomBody,
} from '../../server/bindings/schemas';
import type {
  BotAppealLookupQuery,
  BotAppealReceipt,
  BotAppealStatus,
  BotAttachPhotosBody,
  BotContactInfo,
  BotCreateAppealBody,
} from '../../server/appeals/schemas';
import type { UploadedPhoto } from '../../server/photos/schemas';
import type { BotAttachTipPhotosBody, BotCreateTipBody, BotTipReceipt } from '../../server/tips/schemas';
import type { BotVoteBatchBody, BotVoteBatchResult } from '../../server/consultations/schemas';
import type { ClaimBody, ClaimedRoomItem, ClaimResult, CompleteBody, CompleteResult } from '../../server/outbox/schemas';
import type { ServiceEntry, ServiceEntryList } from '../../server/service-directory/schemas';

/** `POST /bot/bindings/redeem` */
export type RedeemBindingRequest = z.input<typeof RedeemBindingBody>;
export type RedeemBindingResponse = RedeemResult;

export type BindingTarget = RedeemBindingRequest['target'];
export type RoomTarget = Extract<BindingTarget, { type: 'room' }>;
export type ContactTarget = Extract<BindingTarget, { type: 'contact' }>;

/** `POST /bot/rooms/unbind` */
export type UnbindRoomRequest = z.input<typeof UnbindRoomBody>;
export type UnbindRoomResponse = z.infer<typeof UnbindResult>;

/** `GET /bot/rooms` */
export type ListRoomsResponse = z.infer<typeof BoundRoomList>;
export type { BoundRoom };

export type RegionRef = UnbindRoomResponse['region'];
export type UserRef = NonNullable<RedeemBindingResponse['user']>;

/**
 * Every refusal: `{ error: { code, message, details? } }` (docs/ARCHITECTURE.md "API"). The
 * server keeps its zod schema for it private (server/core/openapi.ts), so it is written out here.
 */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: Array<{ path: string; message: string }>;
  };
}

// ---- Appeals (server/appeals/schemas.ts, server/photos/schemas.ts) ----

/** `POST /bot/appeals`: a `#报事` in a bound group or a grid worker's confirmed forward. */
export type CreateAppealRequest = z.input<typeof BotCreateAppealBody>;
export type AppealReceipt = BotAppealReceipt;
/** `POST /bot/appeals/photos`: photos that join the member's appeal just filed in that room. */
export type AttachPhotosRequest = z.input<typeof BotAttachPhotosBody>;
/** `GET /bot/appeals/by-number/:number?contactId&roomId`: who asks, in which group (none: privately). */
export type AppealAsker = z.input<typeof BotAppealLookupQuery>;
export type AppealStatus = BotAppealStatus;
/** `GET /bot/contacts/:contactId` */
export type ContactInfo = BotContactInfo;
/** `POST /bot/photos` (multipart, field `file`) */
export type PhotoUpload = UploadedPhoto;

// ---- Tips (server/tips/schemas.ts) ----

/** `POST /bot/tips`: a `#爆料` in a bound group (roomId) or a private chat (no roomId). */
export type CreateTipRequest = z.input<typeof BotCreateTipBody>;
/** A tip's label and photo count: nothing personal, safe to say in a group. */
export type TipReceipt = BotTipReceipt;
/** `POST /bot/tips/photos`: photos that join the contact's tip just sent in that chat. */
export type AttachTipPhotosRequest = z.input<typeof BotAttachTipPhotosBody>;

// ---- Consultations (server/consultations/schemas.ts) ----

/** `POST /bot/consultations/votes`: a room's `投票 …` gathered over a few seconds (at most 200). */
export type CastVotesRequest = z.input<typeof BotVoteBatchBody>;
export type CastVote = CastVotesRequest['votes'][number];
/** One result per vote, in order: a receipt (which consultation, whether a change; never the choice) or why not. */
export type CastVotesResponse = BotVoteBatchResult;
export type CastVoteResult = CastVotesResponse['results'][number];

// ---- Outbox (server/outbox/schemas.ts) ----

/** `POST /bot/outbox/claim`: lease up to `limit` due deliveries of channel bot_room to `owner`. */
export type ClaimOutboxRequest = z.input<typeof ClaimBody>;
export type ClaimOutboxResponse = ClaimResult;
/**
 * One delivery: say `payload.text` in room `recipient`, @mentioning `payload.mentionContactIds`;
 * with channel `bot_contact`, in the private chat with contact `recipient`.
 */
export type OutboxItem = ClaimedRoomItem;
/** `POST /bot/outbox/:id/complete`: the outcome, reported by the owner of the lease. */
export type CompleteOutboxRequest = z.input<typeof CompleteBody>;
export type CompleteOutboxResponse = CompleteResult;

// ---- Services directory (server/service-directory/schemas.ts) ----

/** `GET /bot/services`: the active entries, with the keywords the bot answers questions by. */
export type ServiceDirectoryResponse = ServiceEntryList;
export type ServiceDirectoryEntry = ServiceEntry;
