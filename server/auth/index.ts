/**
 * The auth feature's face: who is calling (the bearer-token middleware and the bot's identity),
 * the sessions as other features act on them, and the WeChat sign-in adapters the server picks from.
 */
export { authenticate, BOT_USER } from './authenticate';
export { sessionStore } from './sessions';
export { createWechatClient, developmentWechatClient, type WechatClient } from '../core/wechat';
