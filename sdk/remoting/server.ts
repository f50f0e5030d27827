/**
 * A remoting server: accepts connections, decodes frames and dispatches each
 * request by its code to a registered processor, falling back to a default
 * processor, then to REQUEST_CODE_NOT_SUPPORTED. RPC hooks run before and
 * after every request (ACL checks, metrics). A processor may answer at once or
 * later (a held long-poll pull); its answer goes back with the request's opaque
 * and serialization. A oneway request is never answered.
 *
 * Nothing escapes a socket callback: a malformed frame closes only its own
 * connection, and a processor that throws is answered SYSTEM_ERROR.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createResponse, isOneway, type RemotingCommand } from '../protocol/command.ts';
import { decodeHeader, type HeaderOf, type RequestDefinition } from '../protocol/fields.ts';
import { defaultFrameLimits, type FrameLimits } from '../protocol/frame.ts';
import { connectionIdleTimeoutMs } from '../protocol/limits.ts';
import { ResponseCode } from '../protocol/response-codes.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { Connection } from './connection.ts';

/** Returns the response, or undefined when the answer will be sent later (or never, for oneway). */
export type RequestProcessor = (
  request: RemotingCommand,
  connection: Connection,
) => RemotingCommand | undefined | Promise<RemotingCommand | undefined>;

export interface RpcHook {
  /** May return a response to refuse the request before it reaches its processor. */
  before?(request: RemotingCommand, connection: Connection): RemotingCommand | undefined;
  after?(request: RemotingCommand, response: RemotingCommand | undefined, connection: Connection): void;
}

export interface ConnectionListener {
  onConnect?(connection: Connection): void;
  onClose?(connection: Connection, reason: string): void;
  onException?(connection: Connection, error: Error): void;
  onIdle?(connection: Connection): void;
}

export interface RemotingServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  limits?: Partial<FrameLimits>;
  idleTimeoutMs?: number;
  /** Unsent bytes per connection past which the server stops reading from it. */
  writeBufferHighWaterBytes?: number;
  /** Requests the server itself may await per connection (calls to clients). */
  maxInFlight?: number;
  log?: Logger;
  listener?: ConnectionListener;
}

export class RemotingServer {
  private readonly processors = new Map<number, RequestProcessor>();
  private defaultProcessor: RequestProcessor | undefined;
  private readonly hooks: RpcHook[] = [];
  private readonly live = new Set<Connection>();
  private readonly options: RemotingServerOptions;
  private readonly limits: FrameLimits;
  private readonly log: Logger;
  private server: Server | undefined;
  private boundPort = 0;

  constructor(options: RemotingServerOptions) {
    this.options = options;
    this.limits = { ...defaultFrameLimits, ...options.limits };
    this.log = options.log ?? createLogger('remoting-server');
  }

  registerProcessor(code: number, processor: RequestProcessor): this {
    this.processors.set(code, processor);
    return this;
  }

  registerDefaultProcessor(processor: RequestProcessor): this {
    this.defaultProcessor = processor;
    return this;
  }

  addHook(hook: RpcHook): this {
    this.hooks.push(hook);
    return this;
  }

  get connections(): ReadonlySet<Connection> {
    return this.live;
  }

  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<number> {
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    server.on('error', (error) => this.log.error('server error', { error }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.options.port;
    return this.boundPort;
  }

  /** Stops accepting, closes every connection and waits for the listener to close. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of [...this.live]) connection.close('server shutting down');
    await closed;
  }

  private accept(socket: Socket): void {
    const listener = this.options.listener;
    const connection = new Connection(socket, {
      limits: this.limits,
      log: this.log,
      maxInFlight: this.options.maxInFlight ?? 1024,
      writeBufferHighWaterBytes: this.options.writeBufferHighWaterBytes ?? 8 * 1024 * 1024,
      idleTimeoutMs: this.options.idleTimeoutMs ?? connectionIdleTimeoutMs,
      onRequest: (request, from) => this.dispatch(request, from),
      onClose: (closed, reason) => {
        this.live.delete(closed);
        listener?.onClose?.(closed, reason);
      },
      onIdle: listener?.onIdle && ((idle) => listener.onIdle!(idle)),
      onException: listener?.onException && ((failed, error) => listener.onException!(failed, error)),
    });
    this.live.add(connection);
    listener?.onConnect?.(connection);
  }

  private dispatch(request: RemotingCommand, connection: Connection): void {
    let response: RemotingCommand | undefined;
    try {
      for (const hook of this.hooks) {
        response = hook.before?.(request, connection);
        if (response) break;
      }
      if (!response) {
        const processor = this.processors.get(request.code) ?? this.defaultProcessor;
        if (!processor) {
          response = createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`);
        } else {
          const result = processor(request, connection);
          if (result instanceof Promise) {
            result.then(
              (later) => this.reply(request, later, connection),
              (error: unknown) => this.reply(request, this.failure(request, error, connection), connection),
            );
            return;
          }
          response = result;
        }
      }
    } catch (error) {
      response = this.failure(request, error, connection);
    }
    this.reply(request, response, connection);
  }

  private reply(request: RemotingCommand, response: RemotingCommand | undefined, connection: Connection): void {
    for (const hook of this.hooks) {
      try {
        hook.after?.(request, response, connection);
      } catch (error) {
        this.log.error('rpc hook failed after request', { code: request.code, error });
      }
    }
    if (response && !isOneway(request)) connection.send(response);
  }

  private failure(request: RemotingCommand, error: unknown, connection: Connection): RemotingCommand {
    this.log.error('processor failed', { code: request.code, peer: connection.remoteAddress, error });
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return createResponse(request, ResponseCode.SYSTEM_ERROR, message);
  }
}

/**
 * Wraps a processor that wants its request header decoded and validated
 * against the code's schema. A header at fault is answered SYSTEM_ERROR with
 * a remark naming the field, as RocketMQ answers a RemotingCommandException.
 */
export function withHeader<D extends RequestDefinition>(
  definition: D,
  processor: (
    header: HeaderOf<D['request']>,
    request: RemotingCommand,
    connection: Connection,
  ) => RemotingCommand | undefined | Promise<RemotingCommand | undefined>,
): RequestProcessor {
  return (request, connection) => {
    const decoded = decodeHeader(definition.request, request.extFields);
    if (!decoded.ok) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `${definition.name}: ${decoded.reason}`);
    }
    return processor(decoded.header as HeaderOf<D['request']>, request, connection);
  };
}
