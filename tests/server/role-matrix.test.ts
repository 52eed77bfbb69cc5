/**
 * Who may call what: every route of the route table (server/app.ts routeGroups, each RouteDef's
 * `access`) called by every kind of caller, over HTTP, on a seeded server.
 *
 * Three layers, so that neither a broken access check nor a wrong table gets through:
 * 1. the HTTP matrix: each caller gets the answer the table promises: 401 without a token, 403 for
 *    a role the route does not list, and for an allowed caller the route's own validation (or 2xx
 *    for routes that take no input);
 * 2. the table itself against a hand-written record of each route's access: widening a role list,
 *    turning a role list into 'user', or adding a route fails here until this file is changed too,
 *    on purpose and in review;
 * 3. a short hand-written list of pairs that must be refused whatever the table says.
 *
 * Allowed callers are sent input that the route's strict schema refuses (an unknown body key or
 * query parameter, a malformed id), so no handler runs: nothing is created, changed or deleted.
 */
import { routeGroups } from '../../server/app';
import type { Access, RouteDef } from '../../server/core/route';
import { demoPeople } from '../../common/demo-county';
import type { Role } from '../../common/roles';
import { startTestServer, type TestServer } from '../helpers/server';

type Caller = 'anonymous' | Role;
const CALLERS: readonly Caller[] = ['anonymous', 'resident', 'grid_worker', 'community_staff', 'department_staff', 'dispatcher', 'editor', 'reviewer', 'admin', 'bot'];
const HUMAN_ROLES = CALLERS.filter((c): c is Exclude<Role, 'bot'> => c !== 'anonymous' && c !== 'bot');
const STAFF = HUMAN_ROLES.filter((r) => r !== 'resident');

/**
 * Each route's access as reviewed. A change in server/*\/routes.ts that is not made here too fails
 * "the route table grants what was reviewed".
 */
const REVIEWED_ACCESS: Record<string, Access> = {
  'GET /api/v1/auth/methods': 'public',
  'POST /api/v1/auth/wechat-login': 'public',
  'POST /api/v1/auth/dev-login': 'public',
  // The H5 sign-in through the county 公众号: anyone may start it; WeChat calls the callback.
  'GET /api/v1/auth/wechat-web/start': 'public',
  'GET /api/v1/auth/wechat-web/callback': 'public',
  'POST /api/v1/auth/wechat-web/session': 'public',
  'POST /api/v1/auth/password-login': 'public',
  'POST /api/v1/auth/refresh': 'public',
  'POST /api/v1/auth/logout': 'public',
  // Recent failed password sign-ins (usernames, masked addresses): admins only.
  'GET /api/v1/auth/failed-logins': ['admin'],
  'GET /api/v1/me/': 'user',
  'PATCH /api/v1/me/': 'user',
  'GET /api/v1/regions/': 'public',
  // The report form's suggestion from a chosen point: signed-in people only (not the bot).
  'GET /api/v1/regions/nearest': 'user',
  'GET /api/v1/regions/:id': 'public',
  'POST /api/v1/regions/': ['admin'],
  'PATCH /api/v1/regions/:id': ['admin'],
  'DELETE /api/v1/regions/:id': ['admin'],
  'GET /api/v1/departments/': 'user',
  'POST /api/v1/departments/': ['admin'],
  'PATCH /api/v1/departments/:id': ['admin'],
  'DELETE /api/v1/departments/:id': ['admin'],
  'GET /api/v1/categories/': 'public',
  'POST /api/v1/categories/': ['admin'],
  'PATCH /api/v1/categories/:id': ['admin'],
  // The categories ranked for a free text: signed-in people (residents reporting, staff filing and dispatching), not the bot yet.
  'POST /api/v1/categories/suggest': 'user',
  // The import of past appeals as training history: the county's model, so admins only (the upload itself, a raw body, is outside the table and checks admin too).
  'GET /api/v1/categories/imports': ['admin'],
  'GET /api/v1/categories/imports/:id': ['admin'],
  'GET /api/v1/categories/imports/:id/refused': ['admin'],
  'PATCH /api/v1/categories/imports/:id': ['admin'],
  'POST /api/v1/categories/imports/:id/start': ['admin'],
  'DELETE /api/v1/categories/imports/:id': ['admin'],
  // Direct dispatch by suggestion (智能直派): admins set the threshold; dispatchers read it and its measured precision (why an appeal reached a unit without them).
  'GET /api/v1/categories/suggest/direct-dispatch': ['admin', 'dispatcher'],
  'PATCH /api/v1/categories/suggest/direct-dispatch': ['admin'],
  'GET /api/v1/users/': ['admin'],
  'GET /api/v1/users/:id': ['admin'],
  'POST /api/v1/users/': ['admin'],
  'PATCH /api/v1/users/:id': ['admin'],
  // Group codes: community staff (the service checks the community); a personal WeChat: any account
  // (residents link theirs so a vote in their group chat and one in the app are one person's).
  'POST /api/v1/binding-codes': HUMAN_ROLES,
  'GET /api/v1/rooms': STAFF,
  'POST /api/v1/bot/bindings/redeem': 'bot',
  'POST /api/v1/bot/rooms/unbind': 'bot',
  'GET /api/v1/bot/rooms': 'bot',
  // Newsroom: anyone reads the active columns (all=true for admins only), admins edit them; editors write, reviewers review, both schedule/publish/withdraw/pin.
  'GET /api/v1/columns/': 'public',
  'POST /api/v1/columns/': ['admin'],
  'PATCH /api/v1/columns/:id': ['admin'],
  'GET /api/v1/articles/': ['editor', 'reviewer'],
  'GET /api/v1/articles/counts': ['editor', 'reviewer'],
  'GET /api/v1/articles/:id': ['editor', 'reviewer'],
  'POST /api/v1/articles/': ['editor'],
  'PATCH /api/v1/articles/:id': ['editor'],
  'POST /api/v1/articles/:id/submit': ['editor'],
  'POST /api/v1/articles/:id/approve': ['reviewer'],
  'POST /api/v1/articles/:id/reject': ['reviewer'],
  'POST /api/v1/articles/:id/schedule': ['editor', 'reviewer'],
  'POST /api/v1/articles/:id/publish': ['editor', 'reviewer'],
  'POST /api/v1/articles/:id/withdraw': ['editor', 'reviewer'],
  'POST /api/v1/articles/:id/pin': ['editor', 'reviewer'],
  // Services directory: anyone reads the active list (all=true is honoured for admins only); admins edit; the bot answers from it.
  'GET /api/v1/services/': 'public',
  'POST /api/v1/services/': ['admin'],
  'PATCH /api/v1/services/:id': ['admin'],
  'GET /api/v1/bot/services': 'bot',
  // Subscribe messages: the template ids are no secret (the app sends them to WeChat); a signed-in
  // user reads and reports only their own grants.
  'GET /api/v1/subscriptions/templates': 'public',
  'GET /api/v1/subscriptions/grants': 'user',
  'POST /api/v1/subscriptions/grants': 'user',
  // Open311 API keys: admins only (a key files appeals for an outside system; the key is shown once, at issue).
  'GET /api/v1/open311/keys': ['admin'],
  'POST /api/v1/open311/keys': ['admin'],
  'POST /api/v1/open311/keys/:id/revoke': ['admin'],
  'DELETE /api/v1/open311/keys/:id': ['admin'],
  // Comments: anyone reads an article's visible ones (a signed-in reader also sees their own held ones); readers write and report; editors and reviewers moderate.
  'GET /api/v1/comments/': 'public',
  'POST /api/v1/comments/': 'user',
  'GET /api/v1/comments/moderation': ['editor', 'reviewer'],
  'POST /api/v1/comments/:id/report': 'user',
  'POST /api/v1/comments/:id/decision': ['editor', 'reviewer'],
  // Readers' news: the feed, search and an article are public (a signed-in reader also learns whether they liked it); likes need a reader.
  'GET /api/v1/news/feed': 'public',
  'GET /api/v1/news/search': 'public',
  'GET /api/v1/news/articles/:id': 'public',
  'PUT /api/v1/news/articles/:id/like': 'user',
  'DELETE /api/v1/news/articles/:id/like': 'user',
  // Notices: anyone reads published ones; the media centre and community staff write (the service narrows community staff to their communities and own notices).
  'GET /api/v1/notices/': 'public',
  'GET /api/v1/notices/manage': ['editor', 'reviewer', 'community_staff'],
  'GET /api/v1/notices/manage/:id': ['editor', 'reviewer', 'community_staff'],
  'GET /api/v1/notices/:id': 'public',
  'POST /api/v1/notices/': ['editor', 'reviewer', 'community_staff'],
  'PATCH /api/v1/notices/:id': ['editor', 'reviewer', 'community_staff'],
  'POST /api/v1/notices/:id/publish': ['editor', 'reviewer', 'community_staff'],
  'POST /api/v1/notices/:id/withdraw': ['editor', 'reviewer', 'community_staff'],
  'GET /api/v1/notices/:id/deliveries': ['editor', 'reviewer', 'community_staff'],
  // News tips (爆料): residents send; any signed-in user reads their own (the service shows the
  // queue to the newsroom only and a tip to its tipster and the newsroom only: 404 to others);
  // the newsroom moves them, and only editors (who write) turn one into a draft.
  'POST /api/v1/tips/': ['resident'],
  'GET /api/v1/tips/': 'user',
  'GET /api/v1/tips/:id': 'user',
  'POST /api/v1/tips/:id/take': ['editor', 'reviewer'],
  'POST /api/v1/tips/:id/decline': ['editor', 'reviewer'],
  'POST /api/v1/tips/:id/reply': ['editor', 'reviewer'],
  'POST /api/v1/tips/:id/use': ['editor', 'reviewer'],
  'POST /api/v1/tips/:id/draft': ['editor'],
  // Moves between the newsroom and the appeal loop: the newsroom files a tip as an appeal; a
  // dispatcher (who decides on submitted appeals, in their region: the service checks) sends one to the newsroom.
  'POST /api/v1/tips/:id/to-appeal': ['editor', 'reviewer'],
  'POST /api/v1/tips/from-appeal': ['dispatcher'],
  // Consultations (议事): results public (the service hides pending ones but from their writer and
  // reviewers); residents vote (their community: the service); community staff and dispatchers
  // open (their region: the service), reviewers approve county-wide ones; a decision is a notice.
  'POST /api/v1/consultations/': ['community_staff', 'dispatcher', 'reviewer'],
  'GET /api/v1/consultations/': 'public',
  'GET /api/v1/consultations/:id': 'public',
  'PUT /api/v1/consultations/:id/vote': ['resident'],
  'POST /api/v1/consultations/:id/approve': ['reviewer'],
  'POST /api/v1/consultations/:id/reject': ['reviewer'],
  'POST /api/v1/consultations/:id/close': ['community_staff', 'dispatcher', 'reviewer'],
  'POST /api/v1/consultations/:id/decision': ['community_staff', 'editor', 'reviewer'],
  // Appeals: residents file for themselves, grid workers (代报) and dispatchers (热线代录) for
  // others; every signed-in user reads within their scope (the service narrows it); the moves by
  // the roles of the state table; the reporter's own moves need a signed-in user (the service
  // checks they are the reporter).
  'POST /api/v1/appeals/': ['resident', 'grid_worker', 'dispatcher'],
  'GET /api/v1/appeals/': 'user',
  'GET /api/v1/appeals/counts': 'user',
  // The figures (三率): staff who work on appeals, each in their own scope (server/measures/cells.ts); residents and the newsroom 403.
  'GET /api/v1/measures/': ['dispatcher', 'community_staff', 'grid_worker', 'department_staff'],
  // The monthly report (.xlsx): the same staff as the figures, each in their own work scope (server/reports); residents and the newsroom 403.
  'GET /api/v1/reports/monthly.xlsx': ['dispatcher', 'community_staff', 'grid_worker', 'department_staff'],
  'GET /api/v1/measures/groups': ['dispatcher', 'community_staff', 'grid_worker', 'department_staff'],
  'GET /api/v1/measures/series': ['dispatcher', 'community_staff', 'grid_worker', 'department_staff'],
  // The rankings are county-wide for every member of staff: the public board publishes them.
  'GET /api/v1/measures/rankings': ['dispatcher', 'community_staff', 'grid_worker', 'department_staff'],
  'GET /api/v1/measures/dashboard': ['dispatcher', 'community_staff', 'grid_worker', 'department_staff'],
  // The media centre's display: anyone with a screen key (the route refuses without one: 401 INVALID_KEY); admins issue and revoke keys.
  'GET /api/v1/measures/screen': 'public',
  'GET /api/v1/measures/screens': ['admin'],
  'POST /api/v1/measures/screens': ['admin'],
  'POST /api/v1/measures/screens/:id/revoke': ['admin'],
  'GET /api/v1/appeals/similar': 'user',
  'GET /api/v1/appeals/:id': 'user',
  'POST /api/v1/appeals/:id/accept': ['dispatcher'],
  'POST /api/v1/appeals/:id/reject': ['dispatcher'],
  'POST /api/v1/appeals/:id/merge': ['dispatcher'],
  'POST /api/v1/appeals/:id/assign': ['dispatcher'],
  'POST /api/v1/appeals/:id/transfer': ['dispatcher'],
  'POST /api/v1/appeals/:id/review': ['dispatcher'],
  'POST /api/v1/appeals/:id/return': ['department_staff'],
  'POST /api/v1/appeals/:id/start': ['department_staff'],
  'POST /api/v1/appeals/:id/reply': ['department_staff'],
  'POST /api/v1/appeals/:id/rate': 'user',
  'POST /api/v1/appeals/:id/reopen': 'user',
  'POST /api/v1/appeals/:id/remind': 'user',
  'POST /api/v1/appeals/:id/follow': ['resident'],
  // The public board (公开诉求): anyone reads answered public appeals, masked; a dispatcher of the region takes one off (撤下).
  // Hot spots (高频诉求): dispatchers and community staff read those of their regions (the service
  // scopes them: 404 outside); dispatchers of the region merge or dismiss; admins set the thresholds.
  'GET /api/v1/hotspots/settings': ['dispatcher', 'community_staff'],
  'PUT /api/v1/hotspots/settings': ['admin'],
  'GET /api/v1/hotspots/': ['dispatcher', 'community_staff'],
  'GET /api/v1/hotspots/count': ['dispatcher', 'community_staff'],
  'GET /api/v1/hotspots/:id': ['dispatcher', 'community_staff'],
  'POST /api/v1/hotspots/:id/merge': ['dispatcher'],
  'POST /api/v1/hotspots/:id/dismiss': ['dispatcher'],
  'GET /api/v1/board/': 'public',
  'GET /api/v1/board/rates': 'public',
  'GET /api/v1/board/:id': 'public',
  'POST /api/v1/appeals/:id/unpublish': ['dispatcher'],
  'POST /api/v1/bot/appeals': 'bot',
  'POST /api/v1/bot/appeals/photos': 'bot',
  'GET /api/v1/bot/appeals/by-number/:number': 'bot',
  'GET /api/v1/bot/contacts/:contactId': 'bot',
  'POST /api/v1/bot/outbox/claim': 'bot',
  'POST /api/v1/bot/outbox/:id/complete': 'bot',
  'POST /api/v1/bot/consultations/votes': 'bot',
  'POST /api/v1/bot/tips': 'bot',
  'POST /api/v1/bot/tips/photos': 'bot',
  // Photos: the shown copies are public (an <Image> cannot send a token; the id is an unguessable
  // hash); the original keeps EXIF and GPS, for staff only.
  'GET /api/v1/photos/:id': 'public',
  'GET /api/v1/photos/:id/thumb': 'public',
  // Signed-in users; the handler decides per photo (server/photos/access.ts): uploader, handlers of its record.
  'GET /api/v1/photos/:id/original': 'user',
};

/** Refused whatever the table says: the product's rules (roles and scope), written out by hand. */
const MUST_BE_FORBIDDEN: readonly [Caller, string][] = [
  // Only the county's IT administers users, regions, departments and the catalogue.
  ['resident', 'GET /api/v1/users/'],
  ['grid_worker', 'PATCH /api/v1/users/:id'],
  ['community_staff', 'POST /api/v1/users/'],
  ['dispatcher', 'GET /api/v1/users/:id'],
  ['editor', 'POST /api/v1/regions/'],
  ['reviewer', 'DELETE /api/v1/regions/:id'],
  ['department_staff', 'PATCH /api/v1/departments/:id'],
  ['dispatcher', 'POST /api/v1/categories/'],
  ['bot', 'PATCH /api/v1/users/:id'],
  // Residents never get staff tools.
  ['resident', 'POST /api/v1/consultations/'],
  ['dispatcher', 'POST /api/v1/measures/screens'],
  ['community_staff', 'POST /api/v1/consultations/:id/approve'],
  ['bot', 'PUT /api/v1/consultations/:id/vote'],
  ['resident', 'POST /api/v1/bot/consultations/votes'],
  ['resident', 'GET /api/v1/rooms'],
  // The bot's endpoints take the bot's token only, not even an admin's.
  ['resident', 'POST /api/v1/bot/bindings/redeem'],
  ['community_staff', 'POST /api/v1/bot/rooms/unbind'],
  ['admin', 'GET /api/v1/bot/rooms'],
  // The bot is a service identity, not a user.
  ['bot', 'GET /api/v1/me/'],
  ['bot', 'POST /api/v1/binding-codes'],
  ['bot', 'GET /api/v1/departments/'],
  // Nothing but sign-in and public reading works without a token.
  ['anonymous', 'GET /api/v1/me/'],
  ['anonymous', 'GET /api/v1/departments/'],
  ['anonymous', 'POST /api/v1/bot/bindings/redeem'],
  // Only dispatchers accept and send out appeals; only the handling unit answers; residents and
  // the bot never move an appeal as staff.
  ['department_staff', 'POST /api/v1/appeals/:id/accept'],
  ['community_staff', 'POST /api/v1/appeals/:id/assign'],
  ['grid_worker', 'POST /api/v1/appeals/:id/reply'],
  ['resident', 'POST /api/v1/appeals/:id/reply'],
  ['dispatcher', 'POST /api/v1/appeals/:id/reply'],
  ['bot', 'POST /api/v1/appeals/'],
  ['editor', 'POST /api/v1/appeals/'],
  ['anonymous', 'GET /api/v1/photos/:id/original'],
  ['bot', 'GET /api/v1/photos/:id/original'],
  ['resident', 'POST /api/v1/bot/appeals'],
  ['anonymous', 'GET /api/v1/appeals/'],
];

type Outcome = 'unauthenticated' | 'forbidden' | 'allowed';

/** What the route table promises a caller. */
function promised(access: Access, caller: Caller): Outcome {
  if (access === 'public') return 'allowed';
  if (caller === 'anonymous') return 'unauthenticated';
  if (access === 'user') return caller === 'bot' ? 'forbidden' : 'allowed';
  if (access === 'bot') return caller === 'bot' ? 'allowed' : 'forbidden';
  // A role list; the admin passes every role check, the bot only if listed.
  return caller === 'admin' || access.includes(caller) ? 'allowed' : 'forbidden';
}

const sameAccess = (a: Access, b: Access) => (typeof a === 'string' || typeof b === 'string' ? a === b : [...a].sort().join() === [...b].sort().join());
const describeAccess = (a: Access) => (typeof a === 'string' ? a : `[${[...a].sort().join(', ')}]`);

let s: TestServer;
const tokens = new Map<Caller, string | undefined>();
let routes: { key: string; def: RouteDef; url: string }[];

beforeAll(async () => {
  s = await startTestServer();
  tokens.set('anonymous', undefined);
  tokens.set('bot', s.ctx.config.botToken);
  tokens.set('resident', await s.residentToken());
  for (const role of STAFF) {
    const person = demoPeople.find((p) => p.username && p.roles.length === 1 && p.roles[0] === role);
    if (!person?.username) throw new Error(`the demo county has no staff member with only the role ${role}`);
    tokens.set(role, await s.staffToken(person.username));
  }
  routes = routeGroups(s.ctx).flatMap((g) =>
    g.routes.map((def) => {
      const path = g.prefix + def.path;
      // A malformed id (with spaces: no id, number or contact id has them) fails the params
      // schema; an unknown parameter fails a strict query schema.
      const url = path.replace(/:[A-Za-z]+/g, 'not%20an%20id') + (def.query ? '?matrixProbe=1' : '');
      return { key: `${def.method.toUpperCase()} ${path}`, def, url };
    }),
  );
});
afterAll(() => s?.stop());

/** Calls a route as a caller, with input its schema refuses, and names what came back. */
async function call(route: { def: RouteDef; url: string }, caller: Caller): Promise<{ outcome: Outcome | string; detail: string }> {
  const { def, url } = route;
  const res = await s.api(def.method.toUpperCase(), url, { token: tokens.get(caller), body: def.body ? { matrixProbe: 1 } : undefined });
  const code = res.body?.error?.code;
  const message: string = res.body?.error?.message ?? '';
  if (res.status === 401 && code === 'UNAUTHENTICATED') return { outcome: 'unauthenticated', detail: message };
  if (res.status === 403 && code === 'FORBIDDEN') return { outcome: 'forbidden', detail: message };
  // Past the access check, refused by the route's own key check (a big screen's key, sent as a header the probe has not).
  if (res.status === 401 && code === 'INVALID_KEY') return { outcome: 'allowed', detail: message };
  const takesInput = Boolean(def.body || def.params || def.query);
  // Allowed: the route's schemas refused the probe (details name the input part), or for a route
  // without input, the handler answered 2xx.
  const details: { path: string }[] = res.body?.error?.details ?? [];
  const fromSchema = details.length > 0 && details.every((d) => /^(params|query|body)(\.|$)/.test(d.path));
  if (takesInput && res.status === 400 && code === 'VALIDATION_FAILED' && fromSchema) return { outcome: 'allowed', detail: message };
  if (!takesInput && res.status >= 200 && res.status < 300) return { outcome: 'allowed', detail: String(res.status) };
  return { outcome: `unexpected ${res.status} ${JSON.stringify(res.body)}`, detail: '' };
}

describe('role matrix: every route against every caller', () => {
  it('covers a real table: routes of every kind of access, and demo staff of every role', () => {
    // Catches: routeGroups returning nothing (or the wrong groups), which would make the matrix pass empty.
    expect(routes.length).toBe(Object.keys(REVIEWED_ACCESS).length);
    const kinds = new Set(routes.map((r) => (typeof r.def.access === 'string' ? r.def.access : 'roles')));
    expect([...kinds].sort()).toEqual(['bot', 'public', 'roles', 'user']);
    expect([...tokens.keys()].sort()).toEqual([...CALLERS].sort());
    // The matrix calls routes without input for real; only reads may be among them.
    expect(routes.filter((r) => !r.def.body && !r.def.params && !r.def.query && r.def.method !== 'get').map((r) => r.key)).toEqual([]);
  });

  it('the route table grants what was reviewed (a widened role list fails here)', () => {
    // Catches: a route's access widened ("['admin']" to "'user'", a role added to a list) or a new
    // route added without deciding who may call it.
    const differences = [
      ...routes.filter((r) => !(r.key in REVIEWED_ACCESS)).map((r) => `${r.key}: not reviewed (table says ${describeAccess(r.def.access)})`),
      ...Object.keys(REVIEWED_ACCESS).filter((k) => !routes.some((r) => r.key === k)).map((k) => `${k}: reviewed but not in the table`),
      ...routes
        .filter((r) => r.key in REVIEWED_ACCESS && !sameAccess(r.def.access, REVIEWED_ACCESS[r.key]))
        .map((r) => `${r.key}: table says ${describeAccess(r.def.access)}, reviewed ${describeAccess(REVIEWED_ACCESS[r.key])}`),
    ];
    expect(differences).toEqual([]);
  });

  it('answers each caller as the route table says: 401, 403, or the route itself', async () => {
    // Catches: an access check skipped or misapplied (a role list not enforced, the bot accepted as
    // a user, a route reachable without a token, validation run before the access check so that a
    // stranger learns the schema), for any route, present or future.
    const wrong: string[] = [];
    let allowed = 0;
    for (const route of routes) {
      for (const caller of CALLERS) {
        const want = promised(route.def.access, caller);
        const got = await call(route, caller);
        if (got.outcome !== want) wrong.push(`${caller} → ${route.key}: want ${want}, got ${got.outcome}`);
        if (want === 'allowed') allowed++;
      }
    }
    expect(wrong).toEqual([]);
    // Both sides of the matrix were exercised.
    expect(allowed).toBeGreaterThan(routes.length);
    expect(allowed).toBeLessThan(routes.length * CALLERS.length - routes.length);
  });

  it('refuses the pairs that must stay forbidden, whatever the table says', async () => {
    // Catches: a wrong table (a role list widened to someone who must not have it) that layer 2
    // would miss if the record were updated along with it.
    const wrong: string[] = [];
    for (const [caller, key] of MUST_BE_FORBIDDEN) {
      const route = routes.find((r) => r.key === key);
      if (!route) {
        wrong.push(`${key}: no such route`);
        continue;
      }
      const want: Outcome = caller === 'anonymous' ? 'unauthenticated' : 'forbidden';
      const got = await call(route, caller);
      if (got.outcome !== want) wrong.push(`${caller} → ${key}: want ${want}, got ${got.outcome}`);
      else if (want === 'forbidden') expect(got.detail).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(wrong).toEqual([]);
  });
});
