// The services directory as the 服务 tab and the admins' page show it: grouped under their headings
// (in the server's order: by group, then sort), and filtered on the phone as the reader types.
import type { ServiceEntry } from '../../api/types';

export interface ServiceGroup {
  title: string;
  entries: ServiceEntry[];
}

/** Groups in the order the server listed them (it sorts by group, then by the admins' sort number). */
export function groupServices(entries: readonly ServiceEntry[]): ServiceGroup[] {
  const groups = new Map<string, ServiceEntry[]>();
  for (const e of entries) {
    const list = groups.get(e.group);
    if (list) list.push(e);
    else groups.set(e.group, [e]);
  }
  return [...groups].map(([title, list]) => ({ title, entries: list }));
}

/**
 * Entries that mention every word typed (spaces separate words): in the name, the group, a keyword,
 * the phone number, the address or the note. Case-insensitive; an empty query keeps everything.
 */
export function filterServices(entries: readonly ServiceEntry[], query: string): ServiceEntry[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...entries];
  return entries.filter((e) => {
    const haystack = [e.name, e.group, e.phone, e.address, e.note, ...e.keywords].join('\n').toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/** The number WeChat dials: digits only (`0871-6123456` → `08716123456`). */
export const dialable = (phone: string) => phone.replace(/[^\d]/g, '');
