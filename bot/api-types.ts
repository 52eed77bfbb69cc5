/**
 * Request and response shapes of the bot endpoints (docs/ARCHITECTURE.md, "Binding").
 * TODO(lead): replace with `import type` from the server's zod schemas once they exist.
 */

export interface RegionRef {
  id: string;
  name: string;
}

export interface UserRef {
  id: string;
  name: string;
}

export interface RoomTarget {
  type: 'room';
  roomId: string;
  topic: string;
}

export interface ContactTarget {
  type: 'contact';
  contactId: string;
  name: string;
}

export type BindingTarget = RoomTarget | ContactTarget;

/** `POST /bot/bindings/redeem` */
export interface RedeemBindingRequest {
  code: string;
  target: BindingTarget;
}

export interface RedeemBindingResponse {
  type: 'room' | 'contact';
  region: RegionRef | null;
  user: UserRef | null;
}

/** `POST /bot/rooms/unbind` */
export interface UnbindRoomRequest {
  roomId: string;
  byContactId: string;
}

export interface UnbindRoomResponse {
  region: RegionRef;
}

/** `GET /bot/rooms` */
export interface BoundRoom {
  roomId: string;
  topic: string;
  region: RegionRef;
}

export interface ListRoomsResponse {
  items: BoundRoom[];
}

/** Every refusal: `{ error: { code, message, details? } }`. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: Array<{ path: string; message: string }>;
  };
}
