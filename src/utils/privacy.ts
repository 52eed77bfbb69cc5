// WeChat's privacy authorisation (since base library 2.32.3; enforced for every mini-program since
// 2023-09-15): photos, location, phone, clipboard and the other privacy APIs stay blocked until the
// user agrees to the mini-program's 隐私保护指引. When an API needs the agreement, WeChat calls the
// app's onNeedPrivacyAuthorization listener and holds the API until the app answers through `resolve`.
//
// This module is that listener and the gate the call sites use:
// - installPrivacyHandler() registers the one listener (at launch, and again harmlessly from any gate or
//   popup); a request is kept here and shown by every mounted <PrivacyPopup> (PhotoPicker, the binding
//   code card) or, when none is mounted, by the guide page, which has the same answer buttons.
// - requirePrivacy() is called before a privacy API: it asks WeChat (requirePrivacyAuthorize), so the
//   API itself is never called before the user agreed, and says whether they did.
// In H5 there is no such WeChat API (the browser asks for its own permissions): everything here passes.
import Taro from '@tarojs/taro';

export const PRIVACY_PAGE = '/pages/privacy/index';

/** What WeChat accepts as an answer (its onNeedPrivacyAuthorization.ResolveOption). */
export type PrivacyAnswer = { event: 'exposureAuthorization' } | { event: 'agree'; buttonId: string } | { event: 'disagree' };
type Resolve = (answer: PrivacyAnswer) => void;

/** A request WeChat is holding an API for; `referrer` names the API or component (e.g. 'chooseImage'). */
export interface PrivacyRequest {
  referrer: string;
}

/** Requests WeChat holds, answered together: one tap on 同意 releases every held API. */
let held: Resolve[] = [];
let current: PrivacyRequest | null = null;
const listeners = new Set<(request: PrivacyRequest | null) => void>();
let installed = false;

/** Whether this build has WeChat's privacy mechanism (not H5; not a base library older than 2.32.3). */
export function privacyGateActive(): boolean {
  if (process.env.TARO_ENV === 'h5') return false;
  return typeof Taro.onNeedPrivacyAuthorization === 'function' && typeof Taro.requirePrivacyAuthorize === 'function';
}

function publish(request: PrivacyRequest | null) {
  current = request;
  for (const listener of listeners) listener(request);
}

/** Registers the app's one onNeedPrivacyAuthorization listener; calling it again does nothing. */
export function installPrivacyHandler(): void {
  if (installed || !privacyGateActive()) return;
  installed = true;
  Taro.onNeedPrivacyAuthorization((resolve, eventInfo) => {
    held.push(resolve as Resolve);
    const shown = listeners.size > 0;
    publish({ referrer: eventInfo?.referrer ?? '' });
    // No popup on screen (an API called from a page without one): the guide page asks instead.
    if (!shown) void Taro.navigateTo({ url: PRIVACY_PAGE });
    // WeChat asks to be told when the custom popup is shown.
    (resolve as Resolve)({ event: 'exposureAuthorization' });
  });
}

/** The request waiting for an answer, if any. */
export const pendingPrivacyRequest = (): PrivacyRequest | null => current;

/** Follows the waiting request (null once answered); returns the unsubscribe. */
export function onPrivacyRequest(listener: (request: PrivacyRequest | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function answer(reply: PrivacyAnswer) {
  const resolves = held;
  held = [];
  publish(null);
  for (const resolve of resolves) resolve(reply);
}

/**
 * The user tapped 同意: call from the agreement button's onAgreePrivacyAuthorization with that button's
 * id (WeChat checks that the button with this id, open-type agreePrivacyAuthorization, was tapped).
 */
export const agreePrivacy = (buttonId: string) => answer({ event: 'agree', buttonId });

/** The user tapped 拒绝: the held APIs fail ('privacy permission is not authorized'). */
export const declinePrivacy = () => answer({ event: 'disagree' });

/**
 * Call before any privacy API (chooseImage, chooseLocation, setClipboardData ...): resolves true when
 * the user has agreed (at once if they did before, else after the popup's 同意) and false when they
 * declined. Always true in H5 and on WeChat versions without the privacy mechanism.
 */
export function requirePrivacy(): Promise<boolean> {
  if (!privacyGateActive()) return Promise.resolve(true);
  installPrivacyHandler();
  // requirePrivacyAuthorize has no Promise form in WeChat: callbacks only.
  return new Promise((done) => {
    Taro.requirePrivacyAuthorize({ success: () => done(true), fail: () => done(false) });
  });
}

/**
 * Runs `use` (a privacy API call) once the user agreed and gives true; false, without running it, when
 * they declined. Without the gate (H5) `use` runs at once, in the tap's own task: browsers let a page
 * write the clipboard only while the user's gesture lasts. `use`'s failure is the caller's to catch.
 */
export async function withPrivacy(use: () => unknown): Promise<boolean> {
  if (privacyGateActive() && !(await requirePrivacy())) return false;
  await use();
  return true;
}

/**
 * Whether the user still has to agree (WeChat's getPrivacySetting), for the guide page: false in H5,
 * false when WeChat cannot tell.
 */
export function needsPrivacyAgreement(): Promise<boolean> {
  if (!privacyGateActive() || typeof Taro.getPrivacySetting !== 'function') return Promise.resolve(false);
  return new Promise((done) => {
    Taro.getPrivacySetting({ success: (res) => done(res.needAuthorization), fail: () => done(false) });
  });
}
