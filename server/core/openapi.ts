import { z } from 'zod';
import type { RouteDef } from './route';
import { ErrorBody } from './errors';


type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

/** Express `/regions/:id` becomes OpenAPI `/regions/{id}`. */
const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * A name client generators can use: the method and the path's words after `/api/v<n>`, camel-cased,
 * path parameters as `By<Name>`: `GET /api/v1/appeals/{id}` → `getAppealsById`, `POST
 * /api/v1/appeals/{id}/accept` → `postAppealsByIdAccept`. One per method and path, so unique.
 */
export function operationIdOf(method: string, openApiPath: string): string {
  const words = openApiPath
    .replace(/^\/api\/v\d+/, '')
    .split('/')
    .filter(Boolean)
    .flatMap((seg) => {
      const param = /^\{(.+)\}$/.exec(seg);
      return param ? ['by', ...param[1]!.split(/[^A-Za-z0-9]+/)] : seg.split(/[^A-Za-z0-9]+/);
    })
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: prop,
  }));
}

const TOO_MANY: Json = {
  description: '操作太频繁：稍后再试（Retry-After 秒）',
  headers: { 'Retry-After': { description: 'Seconds until a retry may succeed', schema: { type: 'integer', minimum: 1 } } },
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

/**
 * The OpenAPI document is generated from the same route table and zod schemas that validate
 * requests, so it cannot drift from what the server accepts.
 */
export function buildOpenApi(groups: { prefix: string; tag: string; routes: readonly RouteDef[] }[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const ids = new Set<string>();
  for (const group of groups) {
    for (const r of group.routes) {
      const path = toOpenApiPath(group.prefix + r.path);
      const status = String(r.response || r.file ? (r.status ?? 200) : 204);
      const operationId = operationIdOf(r.method, path);
      if (ids.has(operationId)) throw new Error(`two operations would be named ${operationId}`);
      ids.add(operationId);
      const op: Json = {
        operationId,
        tags: [group.tag],
        summary: r.summary,
        security: r.access === 'public' ? [] : [{ bearer: [] }],
        'x-access': typeof r.access === 'string' ? r.access : [...r.access],
        parameters: [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')],
        responses: {
          [status]: r.response
            ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } }
            : r.file
              ? { description: r.file.description, content: { [r.file.type]: { schema: { type: 'string', format: 'binary' } } } }
              : { description: 'No content' },
          // Every write is limited (core/rate-limit/write-limits.ts): clients should expect 429.
          ...(r.method === 'get' ? {} : { '429': TOO_MANY }),
          default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      };
      if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
      (paths[path] ??= {})[r.method] = op;
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Xianrong (县融) API', version: '1.0.0', description: 'REST API of the county media convergence platform.' },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
  };
}
