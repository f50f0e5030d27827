/**
 * A small structured logger: one line per event, JSON fields after the
 * message. Parts take a `Logger` so tests and embedders can capture or silence
 * output. The level comes from APOGEE_LOG_LEVEL (debug, info, warn, error, silent).
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof levels;

function configuredLevel(): LogLevel {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.APOGEE_LOG_LEVEL;
  return value && value in levels ? (value as LogLevel) : 'info';
}

export function createLogger(component: string, level: LogLevel = configuredLevel()): Logger {
  const threshold = levels[level];
  const write = (name: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (levels[name] < threshold) return;
    const line = `${new Date().toISOString()} ${name.toUpperCase()} [${component}] ${message}${fields ? ` ${safeJson(fields)}` : ''}`;
    if (levels[name] >= levels.warn) console.error(line);
    else console.log(line);
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_key, value) => (value instanceof Error ? { name: value.name, message: value.message } : value));
  } catch {
    return '{"fields":"unserializable"}';
  }
}

/** The first bytes of a buffer as hex, for logging a bad frame without dumping it. */
export function hexSnippet(bytes: Uint8Array, maxBytes = 32): string {
  let hex = '';
  const end = Math.min(bytes.length, maxBytes);
  for (let index = 0; index < end; index++) hex += bytes[index]!.toString(16).padStart(2, '0');
  return bytes.length > maxBytes ? `${hex}…` : hex;
}
