// The appeal's timeline (every move and event: when, what, who, note), newest first, so the
// latest step is what a resident reads first.
import type { TimelineEntry } from '../api/types';
import { formatTime } from '../utils/appeal';
import { Timeline } from './Timeline';

export function AppealTimeline({ entries }: { entries: TimelineEntry[] }) {
  return <Timeline entries={entries.map((e) => ({ at: formatTime(e.at), title: e.actionLabel, by: e.byName, note: e.note }))} empty='暂无办理记录' />;
}
