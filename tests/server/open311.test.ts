/**
 * Open311 GeoReport v2 on /open311/v2, played as an outside client would: it discovers the
 * services, files requests with an api_key an admin issued (form-encoded, as real clients post,
 * and JSON), reads them back in JSON and XML (the XML parsed), lists them with the spec's filters
 * and gets the spec's errors. Beside that: the filed appeal is an appeal of channel open311 that
 * went through direct dispatch when the catalogue says so; a retry files nothing twice; a revoked
 * key is refused; a key's hourly budget gives 429 with Retry-After; GET answers never carry the
 * reporter's name, phone or email. On a fixed clock (20 Nov 2026, 10:00 China time).
 */
import { XMLParser } from 'fast-xml-parser';
import { appealDoc, demoIds, move, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import type { TestServer } from '../helpers/server';
import { personName } from '../../server/open311/requests';

const BASE = '/open311/v2';
const REPORTER = { first_name: '小明', last_name: '欧阳', email: 'ouyang.xm@example.com', phone: '13912345678' };
// Near 西城社区's centre (DX-01-02: 28.9007, 118.8702).
const NEAR_XICHENG = { lat: '28.9010', long: '118.8705' };
/** The first filing: public by the client's choice (attribute[public]), so GET answers show its text. */
const ROAD_FORM = () => ({ api_key: apiKey, service_code: 'road-damage', ...NEAR_XICHENG, 'attribute[kind]': 'complaint', 'attribute[public]': 'true', description: '幸福路口井盖缺失，夜里很危险', media_url: 'https://img.example.com/p/1.jpg', device_id: 'phone-1', ...REPORTER });

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
let admin: string;
let apiKey: string;
let keyId: string;
const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ['request', 'service', 'error', 'attribute', 'value', 'endpoint', 'format'].includes(name) });

interface Raw {
  status: number;
  text: string;
  headers: Headers;
  json: () => any;
  xml: () => any;
}
async function call(method: string, path: string, o: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): Promise<Raw> {
  const headers: Record<string, string> = { ...o.headers };
  let body: string | undefined;
  if (o.form) {
    body = new URLSearchParams(o.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(s.url + BASE + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text), xml: () => xml.parse(text) };
}

async function issueKey(name: string, perHour?: number): Promise<{ apiKey: string; id: string }> {
  const res = await s.api('POST', '/api/v1/open311/keys', { token: admin, body: { name, owner: '测试单位', ...(perHour ? { perHour } : {}) } });
  expect(res.status).toBe(201);
  return { apiKey: res.body.apiKey, id: res.body.key.id };
}

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  env.clock.set('2026-11-20T02:00:00Z');
  ids = await demoIds(s);
  admin = await s.staffToken('admin');
  ({ apiKey, id: keyId } = await issueKey('城市随手拍'));
}, 120_000);
afterAll(() => env?.stop());

let roadId: string;
let otherId: string;

describe('discovery and services', () => {
  test('GET discovery.json and .xml name the v2 endpoint and its formats', async () => {
    const j = await call('GET', '/discovery.json');
    expect(j.status).toBe(200);
    expect(j.json().endpoints[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', url: `${s.url}${BASE}` });
    expect(j.json().contact).toBe('东溪县融媒体中心');
    // Catches: other sites' web apps unable to read it (no CORS), or helmet's same-origin resource policy on it.
    expect(j.headers.get('access-control-allow-origin')).toBe('*');
    expect(j.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const preflight = await call('OPTIONS', '/requests.json', { headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const x = await call('GET', '/discovery.xml?jurisdiction_id=dongxi');
    expect(x.headers.get('content-type')).toContain('xml');
    expect(x.xml().discovery.endpoints.endpoint[0].formats.format).toEqual(['application/json', 'text/xml']);
  });

  test('GET services lists the active catalogue; services/{code} gives its attributes', async () => {
    const j = (await call('GET', '/services.json')).json();
    expect(j).toContainEqual(expect.objectContaining({ service_code: 'road-damage', service_name: '道路破损、井盖缺失', group: '交通出行', metadata: true, type: 'realtime' }));
    // The XML list has one <service> per category, as the JSON one has one entry.
    const x = (await call('GET', '/services.xml')).xml();
    expect(x.services.service.map((v: any) => v.service_code)).toEqual(j.map((v: any) => v.service_code));
    const def = (await call('GET', '/services/road-damage.xml')).xml().service_definition;
    expect(def.service_code).toBe('road-damage');
    expect(def.attributes.attribute[0]).toMatchObject({ code: 'kind', datatype: 'singlevaluelist', required: 'false' });
    expect(def.attributes.attribute[0].values.value.map((v: any) => v.key)).toContain('complaint');
    // Catches: the opt-in to the public board undocumented, so no client could know how to make a request public.
    expect(def.attributes.attribute[1]).toMatchObject({ code: 'public', datatype: 'singlevaluelist', required: 'false' });
    expect(def.attributes.attribute[1].values.value.map((v: any) => v.key)).toEqual(['false', 'true']);
  });

  // Catches: an unknown code answered 200 with an empty definition, or an error not in the spec's shape.
  test('an unknown service is 404 in the spec error format (JSON and XML)', async () => {
    const j = await call('GET', '/services/no-such.json');
    expect(j.status).toBe(404);
    expect(j.json()).toEqual([{ code: 404, description: expect.stringContaining('no-such') }]);
    const x = await call('GET', '/services/no-such.xml');
    expect(x.status).toBe(404);
    expect(x.xml().errors.error[0].code).toBe('404');
  });
});

describe('filing', () => {
  test('a form-encoded POST (attribute[kind], media_url) files an appeal of channel open311, directly dispatched by the catalogue', async () => {
    const res = await call('POST', '/requests.json', { form: ROAD_FORM() });
    expect(res.status).toBe(201);
    const [filed] = res.json();
    expect(filed.service_request_id).toMatch(/^DX-20261120-\d{4}$/);
    roadId = filed.token;
    const a = await appealDoc(s, roadId);
    expect(a).toMatchObject({ channel: 'open311', kind: 'complaint', state: 'assigned', directDispatch: true, departmentName: '县交通运输局', reporterPhone: REPORTER.phone, isPublic: true });
    expect(String(a.regionId)).toBe(ids.region['DX-01-02']);
    expect(String(a.submittedById)).toBe(keyId);
    // Catches: the name stored as "欧阳 小明 ouyang.xm@example.com" (a space inside, the e-mail in it), which
    // the public board's name masking never finds in a text that says 欧阳小明; the e-mail lost or shown as a name.
    expect(a.reporterName).toBe('欧阳小明');
    expect(a.reporterEmail).toBe(REPORTER.email);
    const handler = await s.api('GET', `/api/v1/appeals/${roadId}`, { token: await s.staffToken('dispatcher') });
    expect(handler.body.reporter).toEqual({ name: '欧阳小明', phone: REPORTER.phone, email: REPORTER.email, masked: false });
    expect(a.description).toContain('https://img.example.com/p/1.jpg');
    expect(a.timeline.map((e) => e.action)).toEqual(['submit', 'accept', 'assign']);
  });

  // Catches: a retry (lost answer, client pressed again) filing a second appeal.
  test('the same form posted again is the same request (200, no second appeal)', async () => {
    const again = await call('POST', '/requests.json', { form: ROAD_FORM() });
    expect(again.status).toBe(200);
    expect(again.json()[0].token).toBe(roadId);
    expect(await s.models.Appeal.countDocuments({ channel: 'open311' })).toBe(1);
  });

  test('a JSON POST with api_key in the query string and an address naming a community files there; no unit: it waits for a dispatcher', async () => {
    const res = await call('POST', `/requests.xml?api_key=${encodeURIComponent(apiKey)}&jurisdiction_id=dongxi`, {
      json: { service_code: 'other', address_string: '城关镇东城社区幸福路12号', description: '小区门口路面积水', attribute: { public: true } },
    });
    expect(res.status).toBe(201);
    const filed = res.xml().service_requests.request[0];
    otherId = filed.token;
    const a = await appealDoc(s, otherId);
    expect(a).toMatchObject({ channel: 'open311', state: 'submitted', directDispatch: false, place: '城关镇东城社区幸福路12号', isAnonymous: true, isPublic: true });
    expect(String(a.regionId)).toBe(ids.region['DX-01-01']);
  });

  test('an address that names no community is filed at the county, the address kept', async () => {
    const res = await call('POST', '/requests.json', { form: { api_key: apiKey, service_code: 'street-lights', address_string: '县城北外环与新桥路交叉口', description: '路灯整晚不亮' } });
    expect(res.status).toBe(201);
    const a = await appealDoc(s, res.json()[0].token);
    expect(String(a.regionId)).toBe(ids.region.DX);
    expect(a.place).toBe('县城北外环与新桥路交叉口');
  });

  test('address_id is a region code', async () => {
    const res = await call('POST', '/requests.json', { form: { api_key: apiKey, service_code: 'noise', address_id: 'DX-02-01-02', description: '深夜施工噪声' } });
    expect(res.status).toBe(201);
    expect(String((await appealDoc(s, res.json()[0].token)).regionId)).toBe(ids.region['DX-02-01-02']);
  });
});

describe('reading back', () => {
  test('GET requests/{id} in JSON and XML: open, the unit as agency_responsible, the media link, no reporter', async () => {
    const number = (await appealDoc(s, roadId)).number;
    const j = await call('GET', `/requests/${number}.json`);
    expect(j.status).toBe(200);
    const [r] = j.json();
    expect(r).toMatchObject({
      service_request_id: number,
      status: 'open',
      service_code: 'road-damage',
      agency_responsible: '县交通运输局',
      description: '幸福路口井盖缺失，夜里很危险',
      media_url: 'https://img.example.com/p/1.jpg',
      requested_datetime: '2026-11-20T10:00:00+08:00',
    });
    expect(r.status_notes).toContain('已派单');
    // The public sight: the point is rounded to about 1 km.
    expect(r.lat).toBe(28.9);
    const x = await call('GET', `/requests/${number}.xml`);
    expect(x.xml().service_requests.request[0]).toMatchObject({ service_request_id: number, status: 'open', agency_responsible: '县交通运输局' });
    // Catches: the reporter's personal data leaking into a public answer, in any field or format.
    for (const text of [j.text, x.text]) for (const v of Object.values(REPORTER)) expect(text).not.toContain(v);
  });

  test('tokens/{token} gives the request id', async () => {
    const res = await call('GET', `/tokens/${roadId}.json`);
    expect(res.json()).toEqual([{ service_request_id: (await appealDoc(s, roadId)).number, token: roadId }]);
    expect((await call('GET', '/tokens/000000000000000000000000.json')).status).toBe(404);
  });

  test('GET requests with the spec filters: service_request_id list, service_code, dates, status', async () => {
    const road = (await appealDoc(s, roadId)).number;
    const other = (await appealDoc(s, otherId)).number;
    const list = async (q: string) => {
      const res = await call('GET', `/requests.json?${q}`);
      expect(res.status).toBe(200);
      return (res.json() as any[]).map((r) => r.service_request_id);
    };
    // service_request_id wins over the other filters, in the order asked.
    expect(await list(`service_request_id=${other},${road}&service_code=noise`)).toEqual([other, road]);
    expect(await list('service_code=road-damage')).toEqual([road]);
    expect((await list('')).length).toBe(4);
    expect(await list('start_date=2026-11-21T00:00:00%2B08:00')).toEqual([]);
    expect((await list('start_date=2026-11-20T00:00:00%2B08:00&end_date=2026-11-21T00:00:00%2B08:00')).length).toBe(4);

    // The dispatcher rejects the one waiting: it becomes closed, its reason in status_notes.
    const dispatcher = await s.staffToken('dispatcher');
    await move(s, dispatcher, otherId, 'reject', { reason: '非政府职责范围，请联系物业' });
    expect(await list('status=closed')).toEqual([other]);
    expect(await list('status=open')).not.toContain(other);
    const [closed] = (await call('GET', `/requests/${other}.json`)).json();
    expect(closed).toMatchObject({ status: 'closed', expected_datetime: null });
    expect(closed.status_notes).toContain('非政府职责范围');

    const xmlList = (await call('GET', '/requests.xml?status=open,closed&service_code=road-damage')).xml();
    expect(xmlList.service_requests.request.map((r: any) => r.service_request_id)).toEqual([road]);
  });

  test('an unknown request is 404; a bad filter is 400', async () => {
    expect((await call('GET', '/requests/DX-20990101-0001.json')).status).toBe(404);
    const bad = await call('GET', '/requests.json?status=pending');
    expect(bad.status).toBe(400);
    expect(bad.json()[0].code).toBe(400);
    expect((await call('GET', '/requests.json?start_date=yesterday')).status).toBe(400);
  });
});

describe('errors and keys', () => {
  const good = () => ({ api_key: apiKey, service_code: 'sanitation', ...NEAR_XICHENG, description: '垃圾桶满了没人清' });

  // Catches: any text kept as the reporter's e-mail and shown to handlers as their contact.
  test('a malformed email is 400 naming the field', async () => {
    const res = await call('POST', '/requests.json', { form: { ...good(), email: 'not an address' } });
    expect(res.status).toBe(400);
    expect(res.json()[0].description).toContain('email');
  });

  test('a bad api_key is 403; a missing field is 400; an unknown service is 404 (spec errors, JSON and XML)', async () => {
    const bad = await call('POST', '/requests.xml', { form: { ...good(), api_key: 'o311_not-a-key' } });
    expect(bad.status).toBe(403);
    expect(bad.xml().errors.error[0]).toMatchObject({ code: '403' });
    const noCode = await call('POST', '/requests.json', { form: { ...good(), service_code: '' } });
    expect(noCode.status).toBe(400);
    expect(noCode.json()[0].description).toContain('service_code');
    const noPlace = await call('POST', '/requests.json', { form: { api_key: apiKey, service_code: 'sanitation' } });
    expect(noPlace.status).toBe(400);
    expect(noPlace.json()[0].description).toContain('address_string');
    expect((await call('POST', '/requests.json', { form: { ...good(), api_key: '' } })).status).toBe(400);
    expect((await call('POST', '/requests.json', { form: { ...good(), service_code: 'no-such' } })).status).toBe(404);
    expect((await call('POST', '/requests.json', { form: { ...good(), 'attribute[colour]': 'red' } })).status).toBe(400);
    expect((await call('POST', '/requests.json', { form: { ...good(), 'attribute[public]': 'yes' } })).status).toBe(400);
    // Catches: the API's JSON-only rule (415) applied here, or any other type let through.
    const plain = await fetch(`${s.url}${BASE}/requests.json`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(plain.status).toBe(415);
  });

  test('a revoked key is refused at once; only admins see, issue and revoke keys', async () => {
    const k = await issueKey('试用系统');
    expect((await call('POST', '/requests.json', { form: { ...good(), api_key: k.apiKey } })).status).toBe(201);
    const dispatcher = await s.staffToken('dispatcher');
    expect((await s.api('POST', `/api/v1/open311/keys/${k.id}/revoke`, { token: dispatcher, body: {} })).status).toBe(403);
    expect((await s.api('GET', '/api/v1/open311/keys', { token: dispatcher })).status).toBe(403);
    const revoked = await s.api('POST', `/api/v1/open311/keys/${k.id}/revoke`, { token: admin, body: {} });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toBe('2026-11-20T02:00:00.000Z');
    expect((await call('POST', '/requests.json', { form: { ...good(), description: '又满了', api_key: k.apiKey } })).status).toBe(403);
    // The list never shows a key or its hash, only its first characters.
    const listed = await s.api('GET', '/api/v1/open311/keys', { token: admin });
    expect(JSON.stringify(listed.body)).not.toContain(k.apiKey);
    expect(listed.body.items.find((x: any) => x.id === k.id)).toMatchObject({ name: '试用系统', prefix: k.apiKey.slice(0, 10) });
    expect((await s.api('DELETE', `/api/v1/open311/keys/${k.id}`, { token: admin })).status).toBe(204);
  });

  // Catches: filings through one key without a limit (every write has one), or a 429 without Retry-After.
  test("a key's hourly budget: over it, 429 with Retry-After; a retry of an accepted filing still answers", async () => {
    const k = await issueKey('小额度', 1);
    const first = { ...good(), api_key: k.apiKey, description: '第一次' };
    expect((await call('POST', '/requests.json', { form: first })).status).toBe(201);
    const over = await call('POST', '/requests.json', { form: { ...first, description: '第二次' } });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.json()[0].code).toBe(429);
    expect((await call('POST', '/requests.json', { form: first })).status).toBe(200);
  });
});

describe('personal data in the text: GET answers and the public board mask it as the board does', () => {
  // The audit's probe: the reporter names themselves and gives their e-mail and phone in the text.
  const PERSONAL = { first_name: '小明', last_name: '欧阳', email: 'ouyang.xm@example.com', phone: '13912345678' };
  const TEXT = '我是欧阳小明，邮箱ouyang.xm@example.com，电话13912345678，家里停水三天了';
  const LEAKS = ['欧阳小明', '小明', 'ouyang.xm', '13912345678'];
  const noLeak = (label: string, text: string) => {
    for (const v of LEAKS) if (text.includes(v)) throw new Error(`${label} carries ${v}: ${text.slice(0, 300)}`);
  };
  const fileWater = async (extra: Record<string, string>) => {
    const res = await call('POST', '/requests.json', { form: { api_key: apiKey, service_code: 'water-supply', ...NEAR_XICHENG, description: TEXT, ...PERSONAL, ...extra } });
    expect(res.status).toBe(201);
    const [filed] = res.json();
    return { number: filed.service_request_id as string, id: filed.token as string };
  };
  const answer = async (id: string) => {
    const dept = await s.staffToken('dept_water');
    await move(s, dept, id, 'start', {});
    await move(s, dept, id, 'reply', { answer: '已联系欧阳小明（ouyang.xm@example.com），供水已恢复' });
  };

  test('a public filing: requests/{id}.json and .xml, the requests list and (answered) the board show neither name, e-mail nor phone', async () => {
    const { number, id } = await fileWater({ 'attribute[public]': 'true' });
    // Catches: Open311 reads masking only phone, ID and house numbers (channel-reads toPublic with
    // maskPrivateText alone): the reporter's name and e-mail in the text went out as written.
    const j = await call('GET', `/requests/${number}.json`);
    expect(j.status).toBe(200);
    expect(j.json()[0].description).toBe('我是欧*，邮箱o***@example.com，电话139****5678，家里停水三天了');
    noLeak('requests/{id}.json', j.text);
    noLeak('requests/{id}.xml', (await call('GET', `/requests/${number}.xml`)).text);
    noLeak('requests.json', (await call('GET', `/requests.json?service_request_id=${number}`)).text);

    // Catches: the public board leaving the name and e-mail in the excerpt and the full text (the
    // stored name "欧阳 小明 email" never matched 欧阳小明; the masker had no e-mail pattern).
    await answer(id);
    const notesJson = await call('GET', `/requests/${number}.json`);
    expect(notesJson.json()[0].status_notes).toContain('已联系欧*（o***@example.com）');
    noLeak('answered requests/{id}.json', notesJson.text);
    noLeak('answered requests.xml', (await call('GET', '/requests.xml?service_code=water-supply')).text);
    const list = await s.api('GET', '/api/v1/board?limit=50');
    const row = list.body.items.find((i: any) => i.id === id);
    expect(row).toMatchObject({ reporterName: '欧*', excerpt: expect.stringContaining('我是欧*，邮箱o***@example.com') });
    noLeak('board list', JSON.stringify(list.body));
    const detail = await s.api('GET', `/api/v1/board/${id}`);
    expect(detail.status).toBe(200);
    noLeak('board detail', JSON.stringify(detail.body));
  });

  test('without attribute[public] a filing is not public: GET shows no text and, answered, it is not on the board', async () => {
    const { number, id } = await fileWater({});
    // Catches: every Open311 filing stored isPublic: true, put on the public board (and its text in
    // GET answers) without its reporter choosing it.
    expect((await appealDoc(s, id)).isPublic).toBe(false);
    const j = await call('GET', `/requests/${number}.json`);
    expect(j.json()[0]).toMatchObject({ description: '（内容未公开）', lat: null, long: null, media_url: null });
    await answer(id);
    const [r] = (await call('GET', `/requests/${number}.json`)).json();
    expect(r.status).toBe('closed');
    expect(r.status_notes).toBe('已答复');
    noLeak('private requests/{id}.json', JSON.stringify(r));
    expect((await s.api('GET', `/api/v1/board/${id}`)).status).toBe(404);
    expect((await s.api('GET', '/api/v1/board?limit=50')).body.items.map((i: any) => i.id)).not.toContain(id);
  });

  test('names are written as names are: family name first, no space between Chinese parts', () => {
    // Catches: 欧阳 小明 with a space (never found in a text that names 欧阳小明), or the e-mail inside the name.
    expect(personName('欧阳', '小明')).toBe('欧阳小明');
    expect(personName('Ouyang', 'Xiaoming')).toBe('Ouyang Xiaoming');
    expect(personName('欧阳', undefined)).toBe('欧阳');
    expect(personName(undefined, undefined)).toBe('');
  });
});
