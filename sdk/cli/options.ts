/**
 * Flag parsers and the options several commands share. Each option that has
 * an `APOGEE_*` variable is declared with it, so a flag wins over its
 * variable and `--help` names both. Parsers reject bad values with commander's
 * InvalidArgumentError, which the CLI reports as a usage error (exit code 2).
 */
import { InvalidArgumentError, Option } from 'commander';

/** Where clients look for the NameServer when neither --namesrv nor APOGEE_NAMESRV says. */
export const defaultNamesrvAddress = '127.0.0.1:9876';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free port).');
  return port;
}

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || !Number.isSafeInteger(number)) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return number;
}

export function parseNonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) throw new InvalidArgumentError('expected a whole number of at least 0.');
  return number;
}

export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a number greater than 0.');
  return number;
}

/** `host:port`, with `[v6]:port` for IPv6 literals. */
export function isHostPort(address: string): boolean {
  const separator = address.lastIndexOf(':');
  if (separator <= 0) return false;
  const port = address.slice(separator + 1);
  return /^\d+$/.test(port) && Number(port) > 0 && Number(port) <= 65535;
}

/** A NameServer list as RocketMQ writes it: `host:port;host:port` (commas accepted too). */
export function parseAddressList(value: string): string {
  const addresses = value.split(/[;,]/).map((part) => part.trim()).filter((part) => part !== '');
  const bad = addresses.find((address) => !isHostPort(address));
  if (addresses.length === 0 || bad !== undefined) {
    throw new InvalidArgumentError(`expected host:port (several separated by ';'), got ${JSON.stringify(bad ?? value)}.`);
  }
  return addresses.join(';');
}

/** The NameServer clients and admin commands talk to. */
export function namesrvOption(): Option {
  return new Option('--namesrv <addresses>', 'NameServer address, host:port (several separated by ";")')
    .env('APOGEE_NAMESRV')
    .default(defaultNamesrvAddress)
    .argParser(parseAddressList);
}

export function jsonOption(): Option {
  return new Option('--json', 'print machine-readable JSON instead of a table');
}

export function timeoutOption(): Option {
  return new Option('--timeout <ms>', 'how long to wait for each request, in milliseconds').default(5000).argParser(parsePositiveInteger);
}

/** The options every admin command takes. */
export interface ClientFlags {
  namesrv: string;
  timeout: number;
  json?: boolean;
}

/**
 * A point in time as epoch milliseconds: `now`, `earliest` (0), an epoch in
 * ms (13 digits or fewer), an ISO 8601 date/time, or a relative `-10m`,
 * `-2h`, `-1d` before now.
 */
export function parseTime(value: string, now: number = Date.now()): number {
  const text = value.trim();
  if (text === 'now') return now;
  if (text === 'earliest') return 0;
  if (/^\d{1,13}$/.test(text)) return Number(text);
  const relative = /^-(\d+)(ms|s|m|h|d)$/.exec(text);
  if (relative) return now - Number(relative[1]) * unitMs[relative[2] as keyof typeof unitMs];
  const parsed = Date.parse(text);
  if (!Number.isNaN(parsed)) return parsed;
  throw new InvalidArgumentError('expected a time: now, earliest, epoch milliseconds, an ISO date like 2024-05-01T12:00:00Z, or -10m / -2h / -1d.');
}

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration: `30s`, `5m`, `1500ms`, or a bare number of seconds. */
export function parseDurationMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match || Number(match[1]) <= 0) throw new InvalidArgumentError('expected a duration like 30s, 5m or 1500ms.');
  return Number(match[1]) * unitMs[(match[2] ?? 's') as keyof typeof unitMs];
}
