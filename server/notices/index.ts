/**
 * The notices feature's face: notices (通知公告) are written, published and withdrawn through the
 * service; their deliveries to group chats go through the outbox. The route table and the fan-out
 * sweep are mounted and started by the composition root (app.ts, server.ts).
 */
export { noticeService } from './service';
export { noticeRoutes } from './routes';
export { startNoticeFanOutSweep } from './fan-out-sweep';
export { noticeRecords } from './records';
