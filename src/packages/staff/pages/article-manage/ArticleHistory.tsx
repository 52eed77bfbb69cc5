// An article's history (every edit, submission and review step), newest first, on the shared timeline.
import type { ArticleEvent } from '../../../../api/types';
import { REVIEW_LEVEL_LABELS } from '../../../../../common/news-labels';
import { Timeline } from '../../../../components/Timeline';
import { beijingLabel } from '../../components/NewsAccess';

export function ArticleHistory({ events }: { events: ArticleEvent[] }) {
  const entries = events.map((e) => ({
    at: beijingLabel(e.at),
    title: `${e.actionLabel}${e.level ? `（${REVIEW_LEVEL_LABELS[e.level] ?? `第${e.level}级`}）` : ''}`,
    by: e.byName,
    note: e.note,
  }));
  return <Timeline entries={entries} empty='暂无记录' />;
}
