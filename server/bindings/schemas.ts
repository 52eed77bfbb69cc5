import { z } from 'zod';
import { objectId } from '../core/validate';
import { RegionSummary } from '../regions';
import { WECHAT_ID_MAX } from '../outbox';

export const CreateBindingCodeBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('room'), regionId: objectId }),
  z.strictObject({ type: z.literal('contact') }),
]);
export type CreateBindingCodeBody = z.infer<typeof CreateBindingCodeBody>;

export const BindingCode = z.object({ code: z.string(), type: z.enum(['room', 'contact']), regionId: z.string().nullable(), expiresAt: z.string() });
export type BindingCode = z.infer<typeof BindingCode>;

// WeChat ids: rooms end in @chatroom on real puppets; contacts never contain '@'.
const roomId = z.string().trim().min(1).max(WECHAT_ID_MAX);
const contactId = z.string().trim().min(1).max(WECHAT_ID_MAX).regex(/^[^@]+$/, '联系人编号不能包含 @');

/** The code is 8 digits (see attempts.ts for why 8). The speaker of a group message is `byContactId`. */
export const RedeemBindingBody = z.strictObject({
  code: z.string().trim().regex(/^\d{8}$/, '绑定码是8位数字'),
  target: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('room'), roomId, topic: z.string().trim().max(100).default(''), byContactId: contactId }),
    z.strictObject({ type: z.literal('contact'), contactId, name: z.string().trim().max(100).default('') }),
  ]),
});
export type RedeemBindingBody = z.infer<typeof RedeemBindingBody>;

export const RedeemResult = z.object({
  type: z.enum(['room', 'contact']),
  region: z.object({ id: z.string(), name: z.string() }).nullable(),
  user: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type RedeemResult = z.infer<typeof RedeemResult>;

export const UnbindRoomBody = z.strictObject({ roomId, byContactId: contactId });
export const UnbindResult = z.object({ region: z.object({ id: z.string(), name: z.string() }) });

export const BoundRoom = z.object({ roomId: z.string(), topic: z.string(), region: RegionSummary, boundAt: z.string() });
export type BoundRoom = z.infer<typeof BoundRoom>;
export const BoundRoomList = z.object({ items: z.array(BoundRoom) });
