/**
 * A remoting client: one connection per address, made on first use, shared by
 * every caller and replaced after it closes. Responses are matched by opaque,
 * so any number of requests share a connection. The peer may also send us
 * requests on it (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE, ...);
 * they go to processors registered here.
 */
import { connect } from 'node:net';
import { createResponse, type RemotingCommand } from '../protocol/command.ts';
import { RemotingError } from '../protocol/errors.ts';
import { defaultFrameLimits, type FrameLimits } from '../protocol/frame.ts';
import { connectionIdleTimeoutMs } from '../protocol/limits.ts';
import { ResponseCode } from '../protocol/response-codes.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { Connection } from './connection.ts';
import type { RequestProcessor } from './server.ts';

export interface RemotingClientOptions {
  connectTimeoutMs?: number;
  limits?: Partial<FrameLimits>;
  /** Requests awaiting answers per connection; past it, callers wait. */
  maxInFlightPerConnection?: number;
  writeBufferHighWaterBytes?: number;
  idleTimeoutMs?: number;
  log?: Logger;
  /** Runs on every request before it is written (ACL signing). */
  beforeRequest?: (address: string, request: RemotingCommand) => void | Promise<void>;
}

export class RemotingClient {
  private readonly options: RemotingClientOptions;
  private readonly limits: FrameLimits;
  private readonly log: Logger;
  private readonly connections = new Map<string, Promise<Connection>>();
  /** Connections known to be open, for the fast path that skips the connect promise. */
  private readonly open = new Map<string, Connection>();
  private readonly processors = new Map<number, RequestProcessor>();
  private closed = false;

  constructor(options: RemotingClientOptions = {}) {
    this.options = options;
    this.limits = { ...defaultFrameLimits, ...options.limits };
    this.log = options.log ?? createLogger('remoting-client');
  }

  /** Handles requests the peer sends on our connections. */
  registerProcessor(code: number, processor: RequestProcessor): this {
    this.processors.set(code, processor);
    return this;
  }

  /** Sends a request to `address` (`host:port`) and resolves with the response. */
  invokeSync(address: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const live = this.open.get(address);
    if (live !== undefined && !live.closed && this.options.beforeRequest === undefined) return live.invoke(request, timeoutMs);
    return this.connectAndInvoke(address, request, timeoutMs);
  }

  private async connectAndInvoke(address: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const started = Date.now();
    const connection = await this.connection(address, timeoutMs);
    if (this.options.beforeRequest) await this.options.beforeRequest(address, request);
    return connection.invoke(request, Math.max(1, timeoutMs - (Date.now() - started)));
  }

  /** Like invokeSync, and also reports through a callback, for callers that prefer one. */
  invokeAsync(
    address: string,
    request: RemotingCommand,
    timeoutMs: number,
    callback?: (error: Error | undefined, response: RemotingCommand | undefined) => void,
  ): Promise<RemotingCommand> {
    const result = this.invokeSync(address, request, timeoutMs);
    if (callback) result.then((response) => callback(undefined, response), (error: Error) => callback(error, undefined));
    return result;
  }

  /** Sends a request that expects no answer; resolves once it is handed to the socket. */
  async invokeOneway(address: string, request: RemotingCommand, timeoutMs: number): Promise<void> {
    const connection = await this.connection(address, timeoutMs);
    if (this.options.beforeRequest) await this.options.beforeRequest(address, request);
    await connection.invokeOneway(request, timeoutMs);
  }

  /** The live connection to `address`, connecting if there is none. */
  connection(address: string, timeoutMs = this.options.connectTimeoutMs ?? 3000): Promise<Connection> {
    if (this.closed) return Promise.reject(new RemotingError('CLIENT_CLOSED', 'remoting client is closed', { retriable: false }));
    let connection = this.connections.get(address);
    if (!connection) {
      connection = this.connect(address, Math.min(timeoutMs, this.options.connectTimeoutMs ?? 3000));
      this.connections.set(address, connection);
      connection.catch(() => {
        if (this.connections.get(address) === connection) this.connections.delete(address);
      });
    }
    return connection;
  }

  /** Closes the connection to one address, e.g. after a broker went away. */
  async closeConnection(address: string): Promise<void> {
    const connection = this.connections.get(address);
    this.connections.delete(address);
    this.open.delete(address);
    if (connection) (await connection.catch(() => undefined))?.close('closed by client');
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    this.open.clear();
    for (const pending of all) (await pending.catch(() => undefined))?.close('client closed');
  }

  private connect(address: string, timeoutMs: number): Promise<Connection> {
    const separator = address.lastIndexOf(':');
    const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
    const port = Number(address.slice(separator + 1));
    if (separator <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      return Promise.reject(new RemotingError('CONNECT_FAILED', `invalid address ${JSON.stringify(address)}: expected host:port`, { retriable: false }));
    }
    return new Promise<Connection>((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RemotingError('CONNECT_FAILED', `connect to ${address} timed out after ${timeoutMs} ms`, { retriable: true }));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new RemotingError('CONNECT_FAILED', `connect to ${address} failed: ${error.message}`, { retriable: true, cause: error }));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        const connection = new Connection(socket, {
          limits: this.limits,
          log: this.log,
          maxInFlight: this.options.maxInFlightPerConnection ?? 4096,
          writeBufferHighWaterBytes: this.options.writeBufferHighWaterBytes ?? 4 * 1024 * 1024,
          idleTimeoutMs: this.options.idleTimeoutMs ?? connectionIdleTimeoutMs,
          onRequest: (request, from) => this.dispatch(request, from),
          onClose: (closed, reason) => {
            this.log.debug('connection closed', { peer: address, reason });
            if (this.open.get(address) === closed) this.open.delete(address);
            const current = this.connections.get(address);
            current?.then((live) => {
              if (live === closed && this.connections.get(address) === current) this.connections.delete(address);
            }, () => undefined);
          },
        });
        this.open.set(address, connection);
        resolve(connection);
      });
    });
  }

  private dispatch(request: RemotingCommand, connection: Connection): void {
    const processor = this.processors.get(request.code);
    const answer = (response: RemotingCommand | undefined) => {
      if (response && (request.flag & 0x2) === 0) connection.send(response);
    };
    if (!processor) {
      answer(createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`));
      return;
    }
    try {
      const result = processor(request, connection);
      if (result instanceof Promise) {
        result.then(answer, (error: unknown) => answer(createResponse(request, ResponseCode.SYSTEM_ERROR, String(error))));
      } else answer(result);
    } catch (error) {
      answer(createResponse(request, ResponseCode.SYSTEM_ERROR, String(error)));
    }
  }
}
