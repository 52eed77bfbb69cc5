/**
 * The news feature's face: what other features (and the demo seed) may use of it. Notices share
 * the feed's list keys and cursors and the search terms; the photos feature learns which articles
 * show a photo through the holder; the route tables and jobs are mounted by app.ts and server.ts.
 */
export { articleService, type ArticleService } from './articles';
export { articleWorkflow, type ArticleWorkflow } from './workflow';
export { commentService, type CommentService } from './comments';
export { articlePhotoHolder } from './photo-holder';
export { feedKeyOf, noticeListKeyOf, encodeCursor, decodeCursor } from './feed-key';
export { documentTerms, queryTerms, htmlText } from './search-terms';
export { EditVersion } from './schemas';
// The demo seed plays its articles with these.
export { CreateArticleBody, ArticleMoveBodies } from './schemas';
export type { ArticleDoc } from './model';
export { newsRecords } from './records';
export { firstScreen } from './first-screen';
