/**
 * The appeals feature's face: what other features (and the demo seed) may use of it.
 */
export { appealService, type AppealService, type AppealServiceOptions } from './service';
export { appealCreator, type NewAppeal } from './create';
export { appealMoves } from './moves';
export { reserveTicketNumbers, startTicketCounter } from './ticket-numbers';
// A start-up step: appeals filed before they carried their township's and community's paths get them.
export { backfillScopePaths } from './scope-paths';
// A start-up step: every follower an appeal holds gets the follow row "my appeals" pages on.
export { backfillAppealFollows } from './follows';
export { appealDeadlines } from './scheduler';
// The demo seed plays its stories with these: who acts, the bot's account, the states and move bodies.
export type { AppealDoc } from './model';
export { actorOf } from './events';
export { BOT_ACCOUNT_ID } from './bot-routes';
export { OPEN_STATES, type AppealKind, type AppealState } from './state-machine';
export { AcceptBody, AssignBody, MergeBody, RateBody, RejectBody, ReopenBody, ReplyBody, ReturnBody, StartBody, TransferBody, SATISFACTION } from './schemas';
export { appealPhotoHolder } from './photos';
export { appealRecords } from './records';
// The measures (server/measures) read the timelines through this, nothing else of an appeal.
export { appealTimelines, type AppealTimeline, type TimelineEventFacts } from './timelines';
// The public board (server/board) reads the answered public appeals, masked, through this; the lists' stamp keeps its cache right.
export { publicBoard, type PublicBoard } from './board';
export { BoardDetail, BoardPage, BoardQuery } from './board-schemas';
export { APPEAL_LISTS_CACHE } from './model';
// Open311 (server/open311) reads the appeals it filed through this: the public sight, never the reporter.
export { channelReads, type ChannelReads, type PublicAppeal } from './channel-reads';
// The monthly report (server/reports) streams the month's rows and 督办 flags in the caller's work scope, never a reporter's name or phone.
export { appealReportRows, type OverdueFlag, type OverdueStep, type ReportRow } from './report-rows';
// The category suggestion (server/suggest) learns from the categories staff confirmed: text and category, nothing else.
export { categoryConfirmations, type CategoryConfirmation } from './category-confirmations';
// The hot spots (server/hotspots, 高频诉求) group recent open appeals and show a group's rows through this; they merge with the moves above.
export { clusterReads, type ClusterAppeal, type ClusterFacts, type ClusterReads } from './cluster-reads';
export { AppealSummary } from './schemas';
