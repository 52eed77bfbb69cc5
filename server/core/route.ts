import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { forbidden, unauthenticated } from './errors';
import { parseInput } from './validate';
import type { Role } from '../../common/roles';
import type { RateDecision, RateLimit } from './rate-limit/limiter';

/** The caller, resolved once per request by the auth middleware. */
export interface AuthUser {
  id: string;
  name: string;
  roles: Role[];
  /** Region paths (`/a/b/`) this user works in; empty for residents and county-wide roles. */
  scopePaths: string[];
  scopeRegionIds: string[];
  departmentId: string | null;
  /** The resident's own community. */
  regionId: string | null;
}

/**
 * Who may call a route: anyone, any signed-in user, the bot's service token, or the listed roles.
 * `admin` passes every role check.
 */
export type Access = 'public' | 'user' | 'bot' | readonly Role[];

export interface HandlerContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  user: AuthUser | null;
  /**
   * A `'joined'` route's default write limit, for the handler to count with its own limits in one
   * write; absent on other routes, and when the kit's limiter cannot join (it then counted it first).
   */
  write?: JoinedWrite;
}

/**
 * The default write limit of a `'joined'` route's caller, handed to its handler: counted with the
 * route's own limits in one limiter write (`limits` added to the handler's `admit`), then reported
 * with `counted`. Whatever the handler does not count (a retry answered from the first record, input
 * refused, an error before its own count), the kit counts alone after it.
 */
export interface JoinedWrite {
  readonly limits: readonly RateLimit[];
  /**
   * The handler counted `limits` (`decision`: the admit's, which counted them; none when the admit
   * failed). Throws the write limit's 429 when one of `limits` refused.
   */
  counted(decision?: RateDecision): void;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * How a write route (POST, PATCH, PUT, DELETE) is limited. Absent or `'default'`: the default write
 * limit, which `mountRoutes` counts after the access check (per account, the bot's, per address:
 * core/rate-limit/write-limits.ts); a route's own stricter limits count besides it. `'joined'`: the
 * default write limit too, counted by the handler together with its own limits in one limiter
 * write (`HandlerContext.write`), and by the kit alone when the handler did not count it (input
 * refused, a retry, an error first): every request is counted once either way. `{ own: '…' }`:
 * only the route's own limit counts, named by where it lives (e.g. `{ own: 'auth/login-limits.ts' }`).
 * GET routes are not counted.
 */
export type WriteLimit = 'default' | 'joined' | { own: string };

/**
 * Counts one write of `user` (or of the address, when anonymous); throws 429 when spent. `join`:
 * the same limit handed to a `'joined'` route's handler instead, after the access check and before
 * input and handler; it throws the 429 itself when a limit is known spent without counting (absent:
 * such routes are counted first, as `'default'` ones).
 */
export type WriteLimiter = ((req: Request, user: AuthUser | null) => Promise<void>) & {
  join?: (req: Request, user: AuthUser | null) => { limits: readonly RateLimit[]; refuse(decision: RateDecision): void };
};

export const isWrite = (def: Pick<RouteDef, 'method'>) => def.method !== 'get';

/** Whether this route counts against the default write limit (`'default'` or `'joined'`). */
export const usesDefaultWriteLimit = (def: Pick<RouteDef, 'method' | 'limit'>) => isWrite(def) && typeof def.limit !== 'object';

export interface RouteDef<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  summary: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  response?: R;
  /**
   * Status on success; 204 when the handler returns nothing. A handler that answers differently
   * on purpose (an idempotent create answering 200 to a retry) sets `res.locals.status`.
   */
  status?: number;
  /**
   * A route that sends a file itself (its handler writes `res`, e.g. a stream, and returns nothing):
   * the media type and what it is, for the OpenAPI document. Sent with `status` (default 200).
   */
  file?: { type: string; description: string };
  /** Write routes only: the default write limit unless the route names its own (see `WriteLimit`). */
  limit?: WriteLimit;
  handler: (ctx: HandlerContext<Out<P>, Out<Q>, Out<B>>) => Promise<R extends z.ZodType ? z.input<R> : void> | (R extends z.ZodType ? z.input<R> : void);
}

/** Typed identity function: the route table stays one readable line per route. */
export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(def: RouteDef<P, Q, B, R>): RouteDef {
  return def as unknown as RouteDef;
}

export function checkAccess(access: Access, user: AuthUser | null): void {
  if (access === 'public') return;
  if (!user) throw unauthenticated();
  if (access === 'user') {
    if (user.roles.includes('bot')) throw forbidden('机器人账号不能调用此接口');
    return;
  }
  if (access === 'bot') {
    if (!user.roles.includes('bot')) throw forbidden('仅限群聊机器人调用');
    return;
  }
  if (user.roles.includes('admin')) return;
  if (!access.some((r) => user.roles.includes(r))) throw forbidden();
}

/**
 * Mount route definitions on a router: access check, the write limit (`limitWrite`, passed in by
 * the app so the kit knows no feature), input validation, JSON response.
 */
export function mountRoutes(router: Router, routes: readonly RouteDef[], opts: { limitWrite: WriteLimiter }): void {
  const join = opts.limitWrite.join;
  for (const def of routes) {
    const limited = usesDefaultWriteLimit(def);
    const joined = limited && def.limit === 'joined' && !!join;
    router[def.method](def.path, async (req: Request, res: Response) => {
      const user = req.user ?? null;
      checkAccess(def.access, user);
      if (limited && !joined) await opts.limitWrite(req, user);
      let write: JoinedWrite | undefined;
      let pending = false;
      if (joined) {
        const j = join(req, user);
        pending = true;
        write = {
          limits: j.limits,
          counted(decision) {
            pending = false;
            if (decision) j.refuse(decision);
          },
        };
      }
      let result;
      try {
        const params = def.params ? parseInput(def.params, req.params, 'params') : undefined;
        const query = def.query ? parseInput(def.query, req.query, 'query') : undefined;
        const body = def.body ? parseInput(def.body, req.body ?? {}, 'body') : undefined;
        result = await def.handler({ req, res, params, query, body, user, write } as HandlerContext<never, never, never>);
      } catch (err) {
        // Not counted by the handler: counted now, and over the limit the 429 is the answer, as if counted first.
        if (pending) await opts.limitWrite(req, user);
        throw err;
      }
      // A request the handler answered without counting (a retry from the first record): counted before it is sent.
      if (pending) await opts.limitWrite(req, user);
      if (res.headersSent) return;
      if (result === undefined) res.status(204).end();
      else res.status((res.locals.status as number | undefined) ?? def.status ?? 200).json(result);
    });
  }
}
