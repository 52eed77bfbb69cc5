/**
 * A published Open311 client library against our /open311/v2: the npm package `open311` (Code for
 * America's node-open311, GeoReport v2) discovers the endpoint, lists and describes the services,
 * files a request with an api_key (it posts form-encoded, attributes as `attribute[code]`), reads it
 * back by id and by token, and lists requests with filters: what an outside developer's first hour
 * with our server looks like. Our own tests of the spec (open311.test.ts) cover XML and errors; this
 * one proves a client written by others, to the spec, with no knowledge of us, works unchanged.
 *
 * The client runs in its JSON mode. Its two XML parsers (sparkxml, published only on GitHub, and
 * xml2json, a native build) cannot be installed from the npm registry, so package.json points them
 * at a stand-in that throws if called (tests/helpers/open311-xml-unavailable).
 * On a fixed clock (20 Nov 2026, 10:00 China time).
 */
import { promisify } from 'node:util';
import { appealDoc, startAppealsServer, type AppealsTestServer } from '../helpers/appeals';
import type { TestServer } from '../helpers/server';

// The published package is CommonJS with no types: the calls used here, as its README documents them.
type Callback<T> = (err: unknown, data: T) => void;
interface Open311Client {
  endpoint: string;
  format: string;
  serviceDiscovery(options: { cache: boolean; type: string }, cb: Callback<any>): void;
  serviceList(cb: Callback<any[]>): void;
  serviceDefinition(code: string, cb: Callback<any>): void;
  submitRequest(data: Record<string, unknown>, cb: Callback<any[]>): void;
  serviceRequest(id: string, cb: Callback<any[]>): void;
  serviceRequests(params: Record<string, string>, cb: Callback<any[]>): void;
  token(token: string, cb: Callback<any[]>): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Open311 = require('open311') as new (options: Record<string, string>) => Open311Client;

let env: AppealsTestServer;
let s: TestServer;
let client: Open311Client;
const call = <T>(fn: (cb: Callback<T>) => void) => promisify<T>((cb: Callback<T>) => fn(cb))();

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  env.clock.set('2026-11-20T02:00:00Z');
  const admin = await s.staffToken('admin');
  const key = await s.api('POST', '/api/v1/open311/keys', { token: admin, body: { name: '外部开发者', owner: '测试单位' } });
  expect(key.status).toBe(201);
  // Only the discovery URL, as a developer would start: the client finds the endpoint itself.
  client = new Open311({ discovery: `${s.url}/open311/v2/discovery.json`, jurisdiction: 'dongxi', apiKey: key.body.apiKey });
}, 120_000);
afterAll(() => env?.stop());

let requestId: string;
let token: string;

test('discovers the endpoint from discovery.json and lists the services', async () => {
  // Catches: a discovery document whose endpoint the client cannot pick (type, specification or url not as the spec writes them).
  await call((cb) => client.serviceDiscovery({ cache: true, type: 'production' }, cb));
  expect(client.endpoint).toBe(`${s.url}/open311/v2/`);
  expect(client.format).toBe('json');
  const services = await call<any[]>((cb) => client.serviceList(cb));
  expect(services).toContainEqual(expect.objectContaining({ service_code: 'road-damage', service_name: '道路破损、井盖缺失', metadata: true }));
  const def = await call<any>((cb) => client.serviceDefinition('road-damage', cb));
  expect(def.attributes).toContainEqual(expect.objectContaining({ code: 'kind', datatype: 'singlevaluelist' }));
});

test('files a request, form-encoded with its attribute, and reads it back by token and by id', async () => {
  // Catches: the client's form-encoded POST (api_key in the body, attribute[kind]) refused or misread, and a reply shape it cannot parse.
  const filed = await call<any[]>((cb) =>
    client.submitRequest({ service_code: 'road-damage', lat: '28.9010', long: '118.8705', description: '幸福路口井盖缺失，夜里很危险', attributes: { kind: 'complaint' }, email: 'dev@example.com', phone: '13912345678' }, cb),
  );
  expect(filed).toHaveLength(1);
  expect(filed[0].service_request_id).toMatch(/^DX-20261120-\d{4}$/);
  ({ service_request_id: requestId, token } = filed[0]);
  const a = await appealDoc(s, token);
  expect(a).toMatchObject({ channel: 'open311', kind: 'complaint', state: 'assigned', directDispatch: true });

  const byToken = await call<any[]>((cb) => client.token(token, cb));
  expect(byToken[0]).toMatchObject({ service_request_id: requestId, token });
  const [read] = await call<any[]>((cb) => client.serviceRequest(requestId, cb));
  expect(read).toMatchObject({ service_request_id: requestId, status: 'open', service_code: 'road-damage', agency_responsible: '县交通运输局' });
  // The client turns the spec's datetimes into Dates: they must be ones it can parse.
  expect(read.requested_datetime.toISOString()).toBe('2026-11-20T02:00:00.000Z');
  // Catches personal data in a GET answer that outside clients read.
  expect(JSON.stringify(read)).not.toMatch(/13912345678|dev@example\.com/);
});

test('lists requests with the spec filters through the client', async () => {
  // Catches: filters the client sends in the query string (with its jurisdiction_id) ignored or refused.
  const open = await call<any[]>((cb) => client.serviceRequests({ service_code: 'road-damage', status: 'open' }, cb));
  expect(open.map((r) => r.service_request_id)).toEqual([requestId]);
  const closed = await call<any[]>((cb) => client.serviceRequests({ service_code: 'road-damage', status: 'closed' }, cb));
  expect(closed).toEqual([]);
});
