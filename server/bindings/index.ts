/**
 * The bindings feature's face: the group chats bound to communities and the one-time codes that
 * bind them (and a staff member's own WeChat). Its collections stay behind these calls.
 */
export type { BindingCodeDoc, RoomDoc } from './model';
export { bindingService, deleteExpiredBindingCodes, type BindingService, type BindingHooks } from './service';
export { boundRooms, type BoundRooms } from './rooms';
export { bindingBotRoutes, bindingRoutes } from './routes';
export { postToBoundRooms } from './room-posts';
