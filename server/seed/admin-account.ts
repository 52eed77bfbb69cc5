/**
 * Administrators made outside the API, by `npm run admin` (scripts/admin.ts): the first one of a
 * county (production never gets the demo's accounts), and a locked-out one's password reset.
 * Uses the same identities, password hashing and session revocation as the users feature.
 */
import type { Models } from '../models';
import { newId } from '../db/schema-helpers';
import { isDuplicateKeyError } from '../core/errors';
import { CreateUserBody, hashPassword, identityKey, userService, type UserDoc } from '../users';
import { auditService } from '../audit';
import { sessionStore } from '../auth';
import { DEMO_PASSWORD } from '../../common/demo-county';
import { contextOf } from './context';

export const MIN_ADMIN_PASSWORD_LENGTH = 12;

/** A refusal with its message in Chinese and English (the command prints both). */
export class AdminCommandError extends Error {}

const fail = (zh: string, en: string) => new AdminCommandError(`${zh}\n${en}`);

/** Null when the username is valid, else why not: the same rule as staff accounts made in the app. */
export function usernameProblem(username: string): string | null {
  const r = CreateUserBody.shape.username.safeParse(username);
  return r.success && r.data === username ? null : `${r.success ? '用户名不能有首尾空格' : r.error.issues[0].message}\nUsername: 3-32 lowercase letters, digits or _, starting with a letter.`;
}

/**
 * Null when the password is strong enough for an administrator, else why not. The app's own
 * minimum is 8; an administrator can change every account, so 12 characters of at least two
 * kinds (letters, digits, other), not the username and not the demo's published password.
 */
export function adminPasswordProblem(password: string, username: string): string | null {
  const kinds = [/[a-zA-Z]/, /\d/, /[^a-zA-Z\d]/].filter((re) => re.test(password)).length;
  if ([...password].length < MIN_ADMIN_PASSWORD_LENGTH || kinds < 2 || /^\s|\s$/.test(password)) {
    return `密码太弱：至少 ${MIN_ADMIN_PASSWORD_LENGTH} 个字符，且包含字母、数字、符号中的至少两类，首尾不能是空格。\nPassword too weak: at least ${MIN_ADMIN_PASSWORD_LENGTH} characters, of at least two kinds (letters, digits, symbols), no leading or trailing space.`;
  }
  if (password.toLowerCase().includes(username.toLowerCase()) || password.toLowerCase().includes(DEMO_PASSWORD)) {
    return '密码不能包含用户名或演示密码。\nThe password must not contain the username or the demo password.';
  }
  return null;
}

const audit = (models: Models) => auditService(contextOf(models));
const users = (models: Models) => userService(contextOf(models));

/** Creates an administrator; refuses a username that is taken (reset its password instead). */
export async function createAdmin(models: Models, username: string, password: string): Promise<UserDoc> {
  const problem = usernameProblem(username) ?? adminPasswordProblem(password, username);
  if (problem) throw new AdminCommandError(problem);
  const _id = newId();
  try {
    await users(models).insertIdentity(identityKey.username(username), _id);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    throw fail(`用户名「${username}」已存在。要重设其密码，请用 npm run admin -- reset-password ${username}`, `The username "${username}" exists. To reset its password: npm run admin -- reset-password ${username}`);
  }
  const user = await users(models).insertAccount({ _id, name: '系统管理员', username, passwordHash: await hashPassword(password), roles: ['admin'] });
  await audit(models).record(String(_id), 'admin_created_by_command', 'user', String(_id));
  return user;
}

/**
 * Sets a new password for an administrator, reactivates the account and ends its sessions (a
 * reset is what one does after a leak). Refuses accounts that are not administrators: their
 * passwords are reset in the app by an administrator.
 */
export async function resetAdminPassword(models: Models, username: string, password: string, now = new Date()): Promise<UserDoc> {
  const problem = adminPasswordProblem(password, username);
  if (problem) throw new AdminCommandError(problem);
  const existing = await users(models).byUsername(username);
  if (!existing) throw fail(`没有用户名为「${username}」的账号。`, `No account with the username "${username}".`);
  if (!existing.roles.includes('admin')) {
    throw fail(`「${username}」不是系统管理员；其密码请由管理员在工作台中重设。`, `"${username}" is not an administrator; an administrator resets other passwords in the app.`);
  }
  const user = await users(models).resetPasswordHash(existing._id, await hashPassword(password));
  await sessionStore(contextOf(models)).endAllOf(existing._id, now);
  await audit(models).record(String(existing._id), 'admin_password_reset_by_command', 'user', String(existing._id));
  return user!;
}

/** Administrators who can sign in: none means the start should say how to create the first. */
export const countActiveAdmins = (models: Models) => users(models).countActiveAdmins();
