/**
 * Request and response shapes of the bot endpoints (docs/ARCHITECTURE.md, "Binding"), taken from
 * the server's zod schemas in server/bindings/schemas.ts. Type-only imports: nothing of the
 * server or of zod ends up in the bot at runtime.
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
} from '../server/bindings/schemas';

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
