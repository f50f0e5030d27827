/**
 * Errors the native client raises. Each carries a stable `code`, whether the
 * same call may succeed if retried (elsewhere or later), and the `cause`.
 * Broker answers keep their RocketMQ response code in `responseCode`.
 * Expected outcomes (a pull that found nothing, a send stored with a degraded
 * status) are values, never errors.
 */
import { BrokerResponseError, RemotingError } from '../protocol/errors.ts';
import { responseCodeInfo } from '../protocol/response-codes.ts';

export type ClientErrorCode =
  | 'ROUTE_NOT_FOUND'
  | 'NO_AVAILABLE_QUEUE'
  | 'BROKER_NOT_FOUND'
  | 'SEND_FAILED'
  | 'INVALID_ARGUMENT'
  | 'MESSAGE_TOO_LARGE'
  | 'NOT_STARTED'
  | 'SHUTDOWN'
  | 'ABORTED'
  | 'BROKER_ERROR'
  | 'TIMEOUT';

export class ClientError extends Error {
  readonly code: ClientErrorCode;
  readonly retriable: boolean;
  /** The broker's response code, when a broker answer caused this error. */
  readonly responseCode: number | undefined;

  constructor(code: ClientErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; responseCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClientError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.responseCode = options.responseCode;
  }
}

/** The typed error for a non-success answer: name, remark and retriable come from the response-code table. */
export function brokerError(code: number, remark: string | undefined, address: string, what: string): BrokerResponseError {
  const info = responseCodeInfo(code);
  const error = new BrokerResponseError(code, info.name, remark ? `${remark} (${what} at ${address})` : `${what} at ${address}`, info.retriable);
  return error;
}

/** Whether an error says "try again, possibly on another broker". */
export function isRetriable(error: unknown): boolean {
  if (error instanceof RemotingError) return error.retriable;
  if (error instanceof ClientError) return error.retriable;
  return false;
}

export function assertArgument(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ClientError('INVALID_ARGUMENT', message);
}
