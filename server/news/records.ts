import type { AppContext } from '../context';
import { recordsOf } from '../db/records';
import { newsModels } from './model';

/**
 * The news' collections as records, written as given: the demo seed writes the columns, and the
 * articles, counters and comments this feature produced in the seed's sandbox.
 */
export function newsRecords(ctx: AppContext) {
  const { Column, Article, ArticleStats, Comment } = newsModels(ctx.conn);
  return { columns: recordsOf(Column), articles: recordsOf(Article), articleStats: recordsOf(ArticleStats), comments: recordsOf(Comment) };
}
