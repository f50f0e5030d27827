/**
 * Typed errors of the protocol and connection layers. Each carries a stable
 * `code`, whether retrying the same call elsewhere can succeed, and the cause.
 * Expected outcomes (a response code from a broker) become `BrokerResponseError`
 * only at the SDK boundary; inside servers they stay values.
 */

export type RemotingErrorCode =
  | 'FRAME_INVALID'
  | 'CONNECT_FAILED'
  | 'CONNECTION_CLOSED'
  | 'TIMEOUT'
  | 'SEND_FAILED'
  | 'TOO_MANY_REQUESTS'
  | 'CLIENT_CLOSED'
  | 'RESPONSE_ERROR';

export class RemotingError extends Error {
  readonly code: RemotingErrorCode;
  readonly retriable: boolean;

  constructor(code: RemotingErrorCode, message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RemotingError';
    this.code = code;
    this.retriable = options.retriable;
  }
}

/** Why a byte stream could not be read as frames. The connection that sent it is closed. */
export type FrameFault =
  | 'FRAME_TOO_LARGE'
  | 'FRAME_TOO_SMALL'
  | 'HEADER_TOO_LARGE'
  | 'HEADER_LENGTH_INVALID'
  | 'SERIALIZE_TYPE_UNKNOWN'
  | 'HEADER_JSON_INVALID'
  | 'HEADER_BINARY_INVALID';

export class FrameError extends RemotingError {
  readonly fault: FrameFault;

  constructor(fault: FrameFault, detail: string) {
    super('FRAME_INVALID', `${fault}: ${detail}`, { retriable: false });
    this.name = 'FrameError';
    this.fault = fault;
  }
}

/** A broker or NameServer answered with a non-success response code. */
export class BrokerResponseError extends RemotingError {
  readonly responseCode: number;
  readonly remark: string | undefined;

  constructor(responseCode: number, responseName: string, remark: string | undefined, retriable: boolean) {
    super('RESPONSE_ERROR', `${responseName} (${responseCode})${remark ? `: ${remark}` : ''}`, { retriable });
    this.name = 'BrokerResponseError';
    this.responseCode = responseCode;
    this.remark = remark;
  }
}
