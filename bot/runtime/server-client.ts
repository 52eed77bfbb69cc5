/**
 * Typed HTTP client for the server's bot endpoints (`/api/v1/bot/*`, docs/ARCHITECTURE.md).
 * The bot talks to the server over HTTP only. Every failure surfaces as a `ServerError`:
 * refusals carry the server's status, code and Chinese message; an unreachable or silent
 * server is `status: 0` with code `SERVER_UNREACHABLE` / `SERVER_TIMEOUT`.
 */
import type { Logger } from 'pino';
import type {
  ApiErrorBody,
  AppealAsker,
  AppealReceipt,
  AppealStatus,
  AttachPhotosRequest,
  AttachTipPhotosRequest,
  CastVotesRequest,
  CastVotesResponse,
  ClaimOutboxRequest,
  ClaimOutboxResponse,
  CompleteOutboxRequest,
  CompleteOutboxResponse,
  ContactInfo,
  CreateAppealRequest,
  CreateTipRequest,
  ListRoomsResponse,
  PhotoUpload,
  RedeemBindingRequest,
  RedeemBindingResponse,
  ServiceDirectoryResponse,
  TipReceipt,
  UnbindRoomRequest,
  UnbindRoomResponse,
} from './api-types';

export const UNAVAILABLE_MESSAGE = '服务暂时不可用，请稍后再试';

export type ClientErrorCode = 'SERVER_UNREACHABLE' | 'SERVER_TIMEOUT' | 'BAD_RESPONSE';

export class ServerError extends Error {
  /** HTTP status; 0 when no answer came back (unreachable, timed out). */
  readonly status: number;
  /** The server's error code (`NOT_FOUND`, `CONFLICT`, ...) or a `ClientErrorCode`. */
  readonly code: string;
  readonly details?: ApiErrorBody['error']['details'];
  /** The server's `Retry-After` in seconds (429, 503), when it sent one. */
  readonly retryAfterSeconds?: number;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: { cause?: unknown; details?: ApiErrorBody['error']['details']; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServerError';
    this.status = status;
    this.code = code;
    this.details = options?.details;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** A limit of the server (429): the message says how long to wait, in Chinese. */
  get rateLimited(): boolean {
    return this.status === 429;
  }

  /** True when the server did not answer, or answered with a 5xx: the user should just retry later. */
  get unavailable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

export interface ServerClientOptions {
  /** Server origin, e.g. `http://127.0.0.1:3000` (a trailing `/api/v1` is accepted too). */
  serverUrl: string;
  botToken: string;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Extra attempts after a network failure. Default 2. */
  retries?: number;
  /** First backoff delay; doubles each retry. Default 250 ms. */
  retryDelayMs?: number;
  logger?: Pick<Logger, 'warn'>;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface ServerClient {
  redeemBinding(body: RedeemBindingRequest): Promise<RedeemBindingResponse>;
  unbindRoom(body: UnbindRoomRequest): Promise<UnbindRoomResponse>;
  listRooms(): Promise<ListRoomsResponse>;
  /** Files an appeal; the idempotency key makes a resend safe, so it is retried like a GET. */
  createAppeal(body: CreateAppealRequest): Promise<AppealReceipt>;
  attachPhotos(body: AttachPhotosRequest): Promise<AppealReceipt>;
  /** `查询`: answered only for the asking group's community or the asker's own appeals (404 otherwise). */
  appealByNumber(number: string, asker: AppealAsker): Promise<AppealStatus>;
  contactInfo(contactId: string): Promise<ContactInfo>;
  /** Multipart upload (field `file`); a photo is named by its content, so a resend stores nothing new. */
  uploadPhoto(photo: { bytes: Uint8Array; filename: string; mediaType: string }): Promise<PhotoUpload>;
  claimOutbox(body: ClaimOutboxRequest): Promise<ClaimOutboxResponse>;
  completeOutbox(id: string, body: CompleteOutboxRequest): Promise<CompleteOutboxResponse>;
  /** The services directory's active entries (the bot answers keyword questions from it). */
  listServices(): Promise<ServiceDirectoryResponse>;
  /** Sends a `#爆料` to the newsroom; the message id as key makes a resend safe, so it is retried like a GET. */
  createTip(body: CreateTipRequest): Promise<TipReceipt>;
  attachTipPhotos(body: AttachTipPhotosRequest): Promise<TipReceipt>;
  /**
   * A room's group votes in one request (at most 200), one result each. A ballot is per person, so a
   * resend counts nobody twice: it is retried like a GET (a resent vote may come back as a change).
   */
  castVotes(body: CastVotesRequest): Promise<CastVotesResponse>;
}

/** Socket errors that mean the request never reached the server, so even a POST is safe to resend. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** By name, not instanceof: AbortSignal.timeout's DOMException may come from another realm (jest). */
function isTimeout(err: unknown): boolean {
  const name = err && typeof err === 'object' ? (err as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function apiBase(serverUrl: string): string {
  const trimmed = serverUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v1') ? trimmed : `${trimmed}/api/v1`;
}

export function createServerClient(options: ServerClientOptions): ServerClient {
  const base = apiBase(options.serverUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const doFetch = options.fetch ?? fetch;
  if (!options.botToken) throw new Error('createServerClient: botToken is required');

  /**
   * `body` is sent as JSON, or as is when it is FormData (fetch sets the multipart boundary).
   * GET is idempotent; a POST (redeem is single-use) is only resent when it surely never left,
   * unless the caller says resending it is safe (`idempotent`).
   */
  async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, opts: { idempotent?: boolean } = {}): Promise<T> {
    const idempotent = opts.idempotent ?? method === 'GET';
    const multipart = body instanceof FormData;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(`${base}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${options.botToken}`,
            Accept: 'application/json',
            ...(body === undefined || multipart ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : multipart ? body : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const timedOut = isTimeout(err);
        const retryable = idempotent || (!timedOut && NOT_SENT_CODES.has(errorCode(err) ?? ''));
        if (retryable && attempt < retries) {
          const delay = retryDelayMs * 2 ** attempt;
          options.logger?.warn({ err, attempt: attempt + 1, path, delay }, 'server request failed, retrying');
          await sleep(delay);
          continue;
        }
        throw new ServerError(0, timedOut ? 'SERVER_TIMEOUT' : 'SERVER_UNREACHABLE', UNAVAILABLE_MESSAGE, { cause: err });
      }

      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch (err) {
        throw new ServerError(res.status, 'BAD_RESPONSE', UNAVAILABLE_MESSAGE, { cause: err });
      }
      if (res.ok) {
        if (parsed === undefined) throw new ServerError(res.status, 'BAD_RESPONSE', UNAVAILABLE_MESSAGE);
        return parsed as T;
      }
      const error = (parsed as Partial<ApiErrorBody> | undefined)?.error;
      if (error && typeof error.code === 'string' && typeof error.message === 'string') {
        const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
        throw new ServerError(res.status, error.code, error.message, {
          details: error.details,
          retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
        });
      }
      throw new ServerError(res.status, 'BAD_RESPONSE', UNAVAILABLE_MESSAGE);
    }
  }

  return {
    redeemBinding: (body) => request<RedeemBindingResponse>('POST', '/bot/bindings/redeem', body),
    unbindRoom: (body) => request<UnbindRoomResponse>('POST', '/bot/rooms/unbind', body),
    listRooms: () => request<ListRoomsResponse>('GET', '/bot/rooms'),
    createAppeal: (body) => request<AppealReceipt>('POST', '/bot/appeals', body, { idempotent: true }),
    attachPhotos: (body) => request<AppealReceipt>('POST', '/bot/appeals/photos', body),
    appealByNumber: (number, asker) =>
      request<AppealStatus>('GET', `/bot/appeals/by-number/${encodeURIComponent(number)}?${new URLSearchParams(asker.roomId ? { contactId: asker.contactId, roomId: asker.roomId } : { contactId: asker.contactId })}`),
    contactInfo: (contactId) => request<ContactInfo>('GET', `/bot/contacts/${encodeURIComponent(contactId)}`),
    uploadPhoto: ({ bytes, filename, mediaType }) => {
      // One FormData serves every attempt: fetch serialises it anew each time and does not consume it.
      const form = new FormData();
      // Copied into a plain ArrayBuffer: a Buffer may sit on a shared pool that Blob does not accept.
      form.append('file', new Blob([new Uint8Array(bytes)], { type: mediaType }), filename);
      return request<PhotoUpload>('POST', '/bot/photos', form, { idempotent: true });
    },
    claimOutbox: (body) => request<ClaimOutboxResponse>('POST', '/bot/outbox/claim', body),
    // The server answers a repeated report of the same owner with the state it already set.
    completeOutbox: (id, body) => request<CompleteOutboxResponse>('POST', `/bot/outbox/${encodeURIComponent(id)}/complete`, body, { idempotent: true }),
    listServices: () => request<ServiceDirectoryResponse>('GET', '/bot/services'),
    createTip: (body) => request<TipReceipt>('POST', '/bot/tips', body, { idempotent: true }),
    attachTipPhotos: (body) => request<TipReceipt>('POST', '/bot/tips/photos', body),
    castVotes: (body) => request<CastVotesResponse>('POST', '/bot/consultations/votes', body, { idempotent: true }),
  };
}
