/**
 * One remoting connection over a TCP socket, used the same way by servers and
 * clients: both directions carry requests (a broker asks its clients to
 * rebalance or to check a transaction), so each side can invoke and answer.
 *
 * Writes are gathered for the rest of the tick and go out together: small
 * frames (headers, send answers) are copied into one buffer, large bodies (pull
 * answers) are passed as they are, all in one corked writev.
 * Back-pressure: past `writeBufferHighWaterBytes` of unsent bytes, reading
 * pauses (a peer that will not read its answers stops being served) and
 * invokers wait for the drain; requests awaiting answers are bounded by
 * `maxInFlight`, past which new invocations queue instead of piling up.
 */
import type { Socket } from 'node:net';
import { isResponse, markOneway, type RemotingCommand } from '../protocol/command.ts';
import { FrameError, RemotingError } from '../protocol/errors.ts';
import { FrameDecoder, encodeFrameParts, type FrameLimits } from '../protocol/frame.ts';
import { hexSnippet, type Logger } from '../util/log.ts';

export interface ConnectionOptions {
  limits: FrameLimits;
  log: Logger;
  /** Requests this side may await at once on this connection. */
  maxInFlight: number;
  /** Unsent bytes past which reading pauses and invokers wait. */
  writeBufferHighWaterBytes: number;
  /** Close after this long without reads or writes; 0 disables. */
  idleTimeoutMs: number;
  /** Called for every request the peer sends. Must not throw. */
  onRequest: (request: RemotingCommand, connection: Connection) => void;
  onClose?: (connection: Connection, reason: string) => void;
  onIdle?: (connection: Connection) => void;
  onException?: (connection: Connection, error: Error) => void;
}

interface Pending {
  resolve: (response: RemotingCommand) => void;
  reject: (error: Error) => void;
  deadline: number;
  code: number;
}

const SWEEP_INTERVAL_MS = 50;
/** Parts below this size are copied together before writing; larger ones (pull bodies) are written as they are. */
const coalescePartBytesMax = 16 * 1024;
let nextConnectionId = 1;

export class Connection {
  readonly id = nextConnectionId++;
  readonly socket: Socket;
  /** `host:port` of the peer, IPv4-mapped IPv6 addresses unmapped. */
  readonly remoteAddress: string;
  readonly remoteHost: string;
  readonly remotePort: number;
  /** Free slots for parts that want to remember things about a peer (client id, ...). */
  readonly attributes = new Map<string, unknown>();
  private readonly options: ConnectionOptions;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private readonly slotWaiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  /** Frame parts waiting for the end of this tick, and their bytes. */
  private outParts: Uint8Array[] = [];
  private outBytes = 0;
  private closedReason: string | undefined;

  constructor(socket: Socket, options: ConnectionOptions) {
    this.socket = socket;
    this.options = options;
    this.decoder = new FrameDecoder(options.limits);
    this.remoteHost = unmapIpv4(socket.remoteAddress ?? '0.0.0.0');
    this.remotePort = socket.remotePort ?? 0;
    this.remoteAddress = `${this.remoteHost}:${this.remotePort}`;
    socket.setNoDelay(true);
    if (options.idleTimeoutMs > 0) socket.setTimeout(options.idleTimeoutMs);
    socket.on('data', (chunk: Uint8Array) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('timeout', () => {
      this.options.onIdle?.(this);
      this.close('idle');
    });
    socket.on('error', (error) => {
      this.options.onException?.(this, error);
      this.close(`socket error: ${error.message}`);
    });
    socket.on('close', () => this.close('peer closed'));
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Writes a command (a response, or a request nobody awaits). Returns false once closed. */
  send(command: RemotingCommand): boolean {
    if (this.closedReason !== undefined) return false;
    if (this.outParts.length === 0) process.nextTick(this.flushOut);
    for (const part of encodeFrameParts(command)) {
      this.outParts.push(part);
      this.outBytes += part.length;
    }
    if (this.writeBufferFull() && !this.socket.isPaused()) this.socket.pause();
    return true;
  }

  /** Hands this tick's frames to the socket: runs of small parts as one copy, large parts by reference. */
  private readonly flushOut = (): void => {
    const parts = this.outParts;
    this.outParts = [];
    this.outBytes = 0;
    if (this.closedReason !== undefined || parts.length === 0) return;
    const socket = this.socket;
    if (parts.length === 1) {
      socket.write(parts[0]!);
      return;
    }
    socket.cork();
    let runStart = 0;
    let runBytes = 0;
    for (let index = 0; index <= parts.length; index++) {
      const part = parts[index];
      if (part !== undefined && part.length < coalescePartBytesMax) {
        runBytes += part.length;
        continue;
      }
      if (index > runStart) socket.write(index - runStart === 1 ? parts[runStart]! : concatParts(parts, runStart, index, runBytes));
      if (part !== undefined) socket.write(part);
      runStart = index + 1;
      runBytes = 0;
    }
    socket.uncork();
  };

  /** Sends a request and resolves with its response, or rejects on timeout or close. */
  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    if (this.closedReason === undefined && this.pending.size < this.options.maxInFlight && !this.writeBufferFull()) {
      return this.register(request, Date.now() + timeoutMs);
    }
    return this.invokeWhenReady(request, Date.now() + timeoutMs);
  }

  private async invokeWhenReady(request: RemotingCommand, deadline: number): Promise<RemotingCommand> {
    while (this.pending.size >= this.options.maxInFlight) await this.waitForSlot(deadline, request.code);
    if (this.writeBufferFull()) await this.waitForDrain(deadline, request.code);
    this.assertOpen();
    return this.register(request, deadline);
  }

  private register(request: RemotingCommand, deadline: number): Promise<RemotingCommand> {
    return new Promise<RemotingCommand>((resolve, reject) => {
      this.pending.set(request.opaque, { resolve, reject, deadline, code: request.code });
      this.ensureSweeper();
      this.send(request);
    });
  }

  private writeBufferFull(): boolean {
    return this.socket.writableLength + this.outBytes > this.options.writeBufferHighWaterBytes;
  }

  /** Sends a request that expects no answer. */
  async invokeOneway(request: RemotingCommand, timeoutMs: number): Promise<void> {
    markOneway(request);
    if (this.writeBufferFull()) await this.waitForDrain(Date.now() + timeoutMs, request.code);
    this.assertOpen();
    this.send(request);
  }

  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.socket.destroy();
    const error = new RemotingError('CONNECTION_CLOSED', `connection to ${this.remoteAddress} closed: ${reason}`, { retriable: true });
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    for (const wake of this.slotWaiters.splice(0)) wake();
    for (const wake of this.drainWaiters.splice(0)) wake();
    this.options.onClose?.(this, reason);
  }

  private onData(chunk: Uint8Array): void {
    try {
      this.decoder.push(chunk, (command) => this.onCommand(command));
    } catch (error) {
      if (error instanceof FrameError) {
        this.options.log.warn('closing connection: malformed frame', {
          peer: this.remoteAddress,
          reason: error.message,
          bytes: hexSnippet(chunk),
          close: error.fault,
        });
        this.close(`malformed frame: ${error.fault}`);
      } else {
        this.options.log.error('closing connection: unexpected error while reading', { peer: this.remoteAddress, error });
        this.close('internal error');
      }
    }
  }

  private onCommand(command: RemotingCommand): void {
    if (!isResponse(command)) {
      this.options.onRequest(command, this);
      return;
    }
    const pending = this.pending.get(command.opaque);
    if (pending === undefined) {
      this.options.log.debug('response for an unknown or expired opaque dropped', { peer: this.remoteAddress, opaque: command.opaque });
      return;
    }
    this.pending.delete(command.opaque);
    this.releaseSlot();
    pending.resolve(command);
  }

  private onDrain(): void {
    if (this.socket.isPaused()) this.socket.resume();
    for (const wake of this.drainWaiters.splice(0)) wake();
  }

  private releaseSlot(): void {
    this.slotWaiters.shift()?.();
  }

  private waitForSlot(deadline: number, code: number): Promise<void> {
    return this.waitFor(this.slotWaiters, deadline, code, 'a free in-flight slot');
  }

  private waitForDrain(deadline: number, code: number): Promise<void> {
    return this.waitFor(this.drainWaiters, deadline, code, 'the write buffer to drain');
  }

  private waitFor(waiters: Array<() => void>, deadline: number, code: number, what: string): Promise<void> {
    this.assertOpen();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = waiters.indexOf(wake);
        if (index >= 0) waiters.splice(index, 1);
        reject(new RemotingError('TIMEOUT', `request ${code} to ${this.remoteAddress} timed out waiting for ${what}`, { retriable: true }));
      }, Math.max(0, deadline - Date.now()));
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      waiters.push(wake);
    });
  }

  private assertOpen(): void {
    if (this.closedReason !== undefined) {
      throw new RemotingError('CONNECTION_CLOSED', `connection to ${this.remoteAddress} closed: ${this.closedReason}`, { retriable: true });
    }
  }

  /** One timer per connection checks deadlines, instead of one timer per request. */
  private ensureSweeper(): void {
    if (this.sweepTimer !== undefined) return;
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  private sweep(): void {
    if (this.pending.size === 0) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
      return;
    }
    const now = Date.now();
    for (const [opaque, pending] of this.pending) {
      if (pending.deadline > now) continue;
      this.pending.delete(opaque);
      this.releaseSlot();
      pending.reject(
        new RemotingError('TIMEOUT', `request ${pending.code} to ${this.remoteAddress} timed out`, { retriable: true }),
      );
    }
  }
}

/** Java turns IPv4-mapped IPv6 addresses into IPv4; so do we, so records and ids use the 4-byte form. */
export function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** One buffer holding `parts[from, to)`, `bytes` long. */
function concatParts(parts: readonly Uint8Array[], from: number, to: number, bytes: number): Uint8Array {
  const joined = new Uint8Array(bytes);
  let at = 0;
  for (let index = from; index < to; index++) {
    joined.set(parts[index]!, at);
    at += parts[index]!.length;
  }
  return joined;
}
