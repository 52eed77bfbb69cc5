/**
 * The services directory (办事指南 and phone numbers): public and cached, edited by admins, read by
 * the bot for its keyword answers. Its entries stay behind these calls.
 */
export { serviceDirectoryRoutes } from './routes';
export { serviceDirectoryBotRoutes } from './bot-routes';
export { serviceRecords } from './records';
