import pino, { type Logger } from 'pino';

/**
 * Structured logs. Personal data (PIPL): headers that carry credentials and any field named like a
 * phone or a message body are redacted, and request bodies are never logged.
 */
export function createLogger(level: string, base?: Record<string, unknown>): Logger {
  return pino({
    level,
    base: { service: 'xianrong', ...base },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.phone', '*.password', '*.text', '*.body', '*.content', '*.refreshToken'],
      censor: '[redacted]',
    },
  });
}
