import type { Me } from '../../api/types';

/** Group chats are bound by community staff (for their communities) and admins (any community). */
export const canBindRooms = (user: Pick<Me, 'roles'>) => user.roles.includes('community_staff') || user.roles.includes('admin');
export const isAdmin = (user: Pick<Me, 'roles'>) => user.roles.includes('admin');

/** The group-chat bot's WeChat name (the demo county's account). */
export const BOT_NAME = '东溪融媒小助手';

