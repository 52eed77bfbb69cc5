import express, { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { AppContext } from './context';
import { badRequest } from './core/errors';
import { databaseUnavailable } from './db/health';
import { apiNotFound, errorMiddleware, requireJsonBody } from './core/error-middleware';
import { buildOpenApi } from './core/openapi';
import { h5Static } from './core/h5-static';
import { mountRoutes, type RouteDef, type WriteLimiter } from './core/route';
import { requestLog } from './core/request-log';
import { findOperatorKey } from './core/validate';
import { writeLimits } from './core/rate-limit/write-limits';
import { authenticate } from './auth/authenticate';
import { authRoutes } from './auth/routes';
import { sessionStore } from './auth';
import { regionRoutes } from './regions/routes';
import type { RegionHolders } from './regions';
import { boundRooms } from './bindings';
import { countUsersInRegion } from './users';
import { departmentRoutes } from './departments/routes';
import { categoryRoutes } from './categories/routes';
import { directDispatchRoutes, directDispatchSettings, suggestImportRoutes, suggestImportUploadRouter, suggestRoutes, suggestService } from './suggest';
import { meRoutes, userRoutes } from './users/routes';
import { bindingRoutes } from './bindings/routes';
import { bindingBotRoutes } from './bindings';
import { consultationBotRoutes, consultationPhotoHolder, consultationRoutes, consultationService } from './consultations';
import { appealBotRoutes, type CategorySuggester } from './appeals/bot-routes';
import { outboxBotRoutes } from './outbox';
import { serviceDirectoryBotRoutes, serviceDirectoryRoutes } from './service-directory';
import { appealRoutes } from './appeals/routes';
import { boardRoutes } from './board';
import { photoRoutes, photoUploadRouter } from './photos/routes';
import type { PhotoHolder } from './photos';
import { appealPhotoHolder } from './appeals';
import { articlePhotoHolder, firstScreen } from './news';
import { columnRoutes } from './news/column-routes';
import { articleRoutes } from './news/article-routes';
import { feedRoutes } from './news/feed-routes';
import { commentRoutes } from './news/comment-routes';
import { noticeRoutes } from './notices/routes';
import { subscriptionRoutes } from './subscriptions';
import { measureRoutes } from './measures';
import { reportRoutes } from './reports';
import { tipBotRoutes, tipPhotoHolder, tipRoutes } from './tips';
import { georeportRouter, OPEN311_BASE, open311KeyRoutes } from './open311';
import { hotspotRoutes } from './hotspots';

const API = '/api/v1';

/** Who holds a region, asked before it is removed: users and bindings depend on regions, so they are wired here. */
const regionHolders = (ctx: AppContext): RegionHolders => ({
  usersIn: (regionId) => countUsersInRegion(ctx, regionId),
  roomsIn: (regionId) => boundRooms(ctx).countInRegion(regionId),
});

/**
 * The top category suggestion for filings without a category (the bot's group intake and forwards,
 * 代报 and 热线代录 without one, a resident's filing without one), handed to the appeals here: suggest
 * learns from the appeals' face, so the appeals may not import suggest (a cycle). A function passed
 * in keeps the arrows one way and attaches the hint at filing, with no periodic job to wait for.
 * `sure`: at or above the admins' threshold of direct dispatch by suggestion (read cache).
 */
const topSuggestion = (ctx: AppContext): CategorySuggester => {
  const suggestions = suggestService(ctx);
  const direct = directDispatchSettings(ctx);
  return async (text) => {
    const [top] = await suggestions.suggest(text, 1);
    return top ? { categoryId: top.id, categoryName: top.name, score: top.score, sure: await direct.sure(top.score) } : null;
  };
};

/** Every feature whose records show photos: they decide who reads a photo's original. The cleanup job holds the same list (maintenance/cleanup.ts). */
const photoHolders = (ctx: AppContext): PhotoHolder[] => [appealPhotoHolder(ctx), articlePhotoHolder(ctx), tipPhotoHolder(ctx), consultationPhotoHolder(ctx)];

/** Every feature's route table, with where it is mounted. The OpenAPI document reads the same list. */
export function routeGroups(ctx: AppContext): { prefix: string; tag: string; routes: RouteDef[] }[] {
  // One suggester for every channel's filing (the app's form and the bot's intake).
  const suggest = topSuggestion(ctx);
  return [
    { prefix: `${API}/auth`, tag: 'auth', routes: authRoutes(ctx) },
    { prefix: `${API}/me`, tag: 'me', routes: meRoutes(ctx) },
    { prefix: `${API}/regions`, tag: 'regions', routes: regionRoutes(ctx, regionHolders(ctx)) },
    { prefix: `${API}/departments`, tag: 'departments', routes: departmentRoutes(ctx) },
    { prefix: `${API}/categories`, tag: 'categories', routes: categoryRoutes(ctx) },
    // POST /categories/suggest: the categories ranked for a free text (智能分类).
    { prefix: `${API}/categories`, tag: 'suggest', routes: suggestRoutes(ctx) },
    { prefix: `${API}/categories`, tag: 'suggest', routes: suggestImportRoutes(ctx) },
    // GET/PATCH /categories/suggest/direct-dispatch: the threshold of direct dispatch by suggestion (智能直派) and its measured precision.
    { prefix: `${API}/categories`, tag: 'suggest', routes: directDispatchRoutes(ctx) },
    { prefix: `${API}/users`, tag: 'users', routes: userRoutes(ctx, { endSessionsOf: (userId) => sessionStore(ctx).endAllOf(userId) }) },
    { prefix: API, tag: 'bindings', routes: bindingRoutes(ctx) },
    { prefix: `${API}/appeals`, tag: 'appeals', routes: appealRoutes(ctx, { suggest }) },
    // Hot spots (高频诉求): similar appeals piling up in one community, merged in one move.
    { prefix: `${API}/hotspots`, tag: 'hotspots', routes: hotspotRoutes(ctx) },
    { prefix: `${API}/board`, tag: 'board', routes: boardRoutes(ctx) },
    { prefix: `${API}/measures`, tag: 'measures', routes: measureRoutes(ctx) },
    { prefix: `${API}/reports`, tag: 'reports', routes: reportRoutes(ctx) },
    { prefix: `${API}/photos`, tag: 'photos', routes: photoRoutes(ctx, photoHolders(ctx)) },
    { prefix: `${API}/columns`, tag: 'columns', routes: columnRoutes(ctx) },
    { prefix: `${API}/articles`, tag: 'articles', routes: articleRoutes(ctx) },
    { prefix: `${API}/news`, tag: 'news', routes: feedRoutes(ctx) },
    // Comments under articles and, with the same moderation, the discussion of a consultation (议事).
    { prefix: `${API}/comments`, tag: 'comments', routes: commentRoutes(ctx, { consultation: (id) => consultationService(ctx).commentSubject(id) }) },
    { prefix: `${API}/notices`, tag: 'notices', routes: noticeRoutes(ctx) },
    // News tips (爆料): private to the tipster and the newsroom.
    { prefix: `${API}/tips`, tag: 'tips', routes: tipRoutes(ctx, { suggest }) },
    // Consultations (议事): public results, one vote per person across the app and group chats.
    { prefix: `${API}/consultations`, tag: 'consultations', routes: consultationRoutes(ctx) },
    { prefix: `${API}/services`, tag: 'services', routes: serviceDirectoryRoutes(ctx) },
    { prefix: `${API}/subscriptions`, tag: 'subscriptions', routes: subscriptionRoutes(ctx) },
    { prefix: `${API}/open311`, tag: 'open311', routes: open311KeyRoutes(ctx) },
    // What the bot may call, with its own service token: the bot talks to the server only here.
    { prefix: `${API}/bot`, tag: 'bot', routes: [...bindingBotRoutes(ctx, { contactLinked: (userId, contactId) => consultationService(ctx).contactLinked(userId, contactId) }), ...appealBotRoutes(ctx, { suggest }), ...outboxBotRoutes(ctx), ...serviceDirectoryBotRoutes(ctx), ...tipBotRoutes(ctx), ...consultationBotRoutes(ctx)] },
  ];
}

const rejectOperatorKeys: RequestHandler = (req, _res, next) => {
  const bad = findOperatorKey(req.body);
  if (bad) throw badRequest(`请求参数有误：${bad} 不允许以 $ 开头或包含点号`, [{ path: bad, message: '不允许的字段名' }]);
  next();
};

/**
 * The route groups, each request walking only those whose prefix starts with its path's first
 * segment (and the groups mounted on the API root), in the table's order: the same routes as
 * walking every group, without matching twenty prefixes before the news feed. A path whose
 * first segment no prefix names walks every group, as before.
 */
function groupsBySegment(groups: ReturnType<typeof routeGroups>, limitWrite: WriteLimiter): RequestHandler {
  const mounted = groups.map((g) => {
    const router = Router({ mergeParams: true });
    mountRoutes(router, g.routes, { limitWrite });
    const path = g.prefix.slice(API.length) || '/';
    return { path, segment: path.split('/')[1].toLowerCase(), router };
  });
  const walk = (only: (segment: string) => boolean) => {
    const r = Router();
    for (const m of mounted) if (only(m.segment)) r.use(m.path, m.router);
    return r;
  };
  const all = walk(() => true);
  const bySegment = new Map<string, Router>();
  for (const { segment } of mounted) if (segment && !bySegment.has(segment)) bySegment.set(segment, walk((s) => s === segment || s === ''));
  return (req, res, next) => {
    const url = req.url;
    let end = 1;
    while (end < url.length && url[end] !== '/' && url[end] !== '?') end++;
    // Express matches prefixes case-insensitively.
    (bySegment.get(url.slice(1, end).toLowerCase()) ?? all)(req, res, next);
  };
}

export function createApp(ctx: AppContext): express.Express {
  const { config } = ctx;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  // The request id and the access log (method and path only: query strings and bodies may carry personal data).
  app.use(requestLog(app, ctx.logger, { ignore: (url) => url === '/healthz' || url === '/readyz' }));
  app.use(
    helmet({
      // No opener policy: with `same-origin` Chromium swaps the renderer process at every fresh
      // visit, which put the H5 page's first paint at 0.5 s instead of 0.24 s on Regular 3G
      // (bench/h5-first-screen.ts). The page is this origin's only document; it cannot be framed
      // (frame-ancestors, X-Frame-Options) nor its resources read cross-origin (CORP), and its
      // links out open with noopener.
      crossOriginOpenerPolicy: false,
      contentSecurityPolicy: {
        directives: {
          // The H5 build of Taro injects inline styles; images may come from the county's CDN.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:', 'https:'],
          'script-src': ["'self'", "'unsafe-inline'"],
          // Taro's H5 uploadFile reads the chosen picture from its blob: URL with fetch first.
          'connect-src': ["'self'", 'blob:'],
        },
      },
    }),
  );

  // The 公众号 console checks the 网页授权域名 by fetching this file (H5 sign-in through WeChat).
  if (config.wechatMpVerify) {
    const token = config.wechatMpVerify;
    app.get(`/MP_verify_${token}.txt`, (_req, res) => {
      res.type('text/plain').send(token);
    });
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready when the database answers. While it is known to be away (db/health.ts), at once.
  app.get('/readyz', async (_req, res) => {
    if (!ctx.dbHealth.ready) throw databaseUnavailable();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ctx.conn.db!.admin().ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('ping timeout')), 2000))),
      ]);
    } catch {
      throw databaseUnavailable();
    } finally {
      clearTimeout(timer);
    }
    res.json({ status: 'ready' });
  });

  const groups = routeGroups(ctx);
  const openapi = buildOpenApi(groups);
  app.get('/api/docs', (_req, res) => {
    res.json(openapi);
  });

  // Every write route is limited unless it names its own limit (core/rate-limit/write-limits.ts).
  const limitWrite = writeLimits(ctx);
  // Everything under the API's prefix is one mount (each mount matches and trims the path again).
  const api = Router();
  // During an outage every API request is answered 503 with Retry-After at once, not after the
  // driver's timeouts; full service again as soon as the database is back.
  api.use((_req, _res, next) => {
    if (!ctx.dbHealth.ready) throw databaseUnavailable();
    next();
  });
  // Photo uploads are multipart (wx.uploadFile), so they come before the JSON-only body parser;
  // both upload routes are POSTs, so other methods skip their routers.
  const uploads = Router().use(photoUploadRouter(ctx, limitWrite), suggestImportUploadRouter(ctx, limitWrite));
  api.use((req, res, next) => (req.method === 'POST' ? uploads(req, res, next) : next()));
  const jsonBody = Router().use(requireJsonBody, express.json({ limit: config.jsonBodyLimit, strict: true }), rejectOperatorKeys);
  // A request without a body (every GET) has nothing to check or parse: the parsers' work skipped.
  api.use((req, res, next) => (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined ? next() : jsonBody(req, res, next)));
  api.use(authenticate(ctx));
  api.use(groupsBySegment(groups, limitWrite));
  api.use(apiNotFound);
  app.use(API, api);
  app.use('/api', apiNotFound);
  // Open311 GeoReport v2: its own formats (form bodies, XML, the spec's errors), so beside the JSON-only API.
  app.use(OPEN311_BASE, georeportRouter(ctx, limitWrite));

  // The H5 build of the mini-program, served from the same origin as the API (precompressed, cached).
  // The county's first stories inside the page itself, readable before the app's scripts arrive.
  const stories = firstScreen(ctx);
  app.use(h5Static(config.h5Dir, (req) => stories(req)));

  app.use(errorMiddleware);
  return app;
}
