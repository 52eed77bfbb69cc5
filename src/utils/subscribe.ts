// WeChat subscribe messages (订阅消息) from the app's side: residents are told of their appeal's
// progress only after they tapped 允许 in WeChat's own dialog (requestSubscribeMessage), once per
// message. WeChat opens that dialog only from a user's tap (an await of a network call in between
// loses the gesture), so callers run askForSubscription straight from a tap handler: the
// 订阅进度提醒 button, or the 订阅提醒 button of the dialog shown after a filing succeeded. The
// answer goes to the server, which sends one message per grant. H5 has no such API: nothing is asked.
import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { subscriptionsApi } from '../api/endpoints';
import type { GrantCounts } from '../api/types';
import { newIdempotencyKey } from '../store/appeal-draft';

const ANSWERS = new Set(['accept', 'reject', 'ban', 'filter']);

/** Whether this build can ask (the WeChat build with a base library that has the API). */
export function subscribeAvailable(): boolean {
  if (process.env.TARO_ENV === 'h5') return false;
  return typeof Taro.requestSubscribeMessage === 'function';
}

/**
 * Opens WeChat's subscribe dialog for `templateIds` and reports the answer. Returns the caller's
 * grants after the report, or null when nothing was asked or reported (H5, no template, the dialog
 * failed, the network). A lost answer is retried once with the same key, which the server counts once.
 */
export async function askForSubscription(templateIds: string[]): Promise<GrantCounts | null> {
  if (!subscribeAvailable() || templateIds.length === 0) return null;
  let answer: Record<string, unknown>;
  try {
    answer = (await Taro.requestSubscribeMessage({ tmplIds: templateIds } as Parameters<typeof Taro.requestSubscribeMessage>[0])) as unknown as Record<string, unknown>;
  } catch {
    // Closed, switched off in WeChat's settings (20004), or not from a tap: nothing to report.
    return null;
  }
  const result = Object.fromEntries(templateIds.flatMap((id) => (typeof answer[id] === 'string' && ANSWERS.has(answer[id] as string) ? [[id, answer[id] as string]] : [])));
  if (Object.keys(result).length === 0) return null;
  const body = { idempotencyKey: newIdempotencyKey(), templateIds, result } as Parameters<typeof subscriptionsApi.report>[0];
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await subscriptionsApi.report(body, { toast: false });
    } catch {
      // retried once with the same key
    }
  }
  return null;
}

/** The template ids to ask for (empty in H5, without a configured template, or while loading). */
export function useSubscriptionTemplates(): string[] {
  const [ids, setIds] = useState<string[]>([]);
  useEffect(() => {
    if (!subscribeAvailable()) return;
    let live = true;
    subscriptionsApi
      .templates({ toast: false })
      .then((res) => live && setIds(res.items.map((t) => t.templateId)))
      .catch(() => undefined); // without the list nothing is asked; filing is not held up
    return () => {
      live = false;
    };
  }, []);
  return ids;
}

/**
 * After a filing succeeded: WeChat's dialog needs a fresh tap (the filing's network calls used up
 * the submit tap), so a modal offers it and its 订阅提醒 button is that tap. Resolves when done.
 * `content` says what the message will be about (an appeal's answer by default, a tip's reply).
 */
export async function offerSubscriptionAfterFiling(templateIds: string[], content = '诉求有答复时，是否通过微信通知您？'): Promise<void> {
  if (!subscribeAvailable() || templateIds.length === 0) return;
  try {
    const { confirm } = await Taro.showModal({ title: '提交成功', content, confirmText: '订阅提醒', cancelText: '暂不' });
    if (confirm) await askForSubscription(templateIds);
  } catch {
    // the modal failed: the appeal's page offers 订阅进度提醒 as well
  }
}
