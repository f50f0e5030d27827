/**
 * ali-ons (a RocketMQ 4.x client in plain JavaScript that Apogee did not
 * write) for the compatibility tests: typed handles on its Producer, Consumer
 * and Message, a logger that keeps its output for failure messages instead of
 * printing it, and the options that make it talk to a NameServer at an address
 * (nameSrv) with timers short enough for a test.
 *
 * ali-ons shares one connection manager (MQClient) between every producer and
 * clustering consumer of a process, plus one internal producer it never
 * closes; closeAliOnsInternals closes that one so the test process can exit.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface OnsMessage {
  topic: string;
  tags: string | null;
  /** Read: the keys joined with spaces. Write: a list of keys. */
  get keys(): string | undefined;
  set keys(keys: readonly string[]);
  body: Buffer;
  msgId: string;
  properties: Record<string, string>;
  reconsumeTimes: number;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  storeHost: string;
  bornHost: string;
  originMessageId: string | undefined;
  retryTopic: string | undefined;
  delayTimeLevel: number;
  setStartDeliverTime(epochMs: number): void;
}

export interface OnsMessageConstructor {
  new (topic: string, tags: string, body: string | Buffer): OnsMessage;
}

export interface OnsSendResult {
  sendStatus: string;
  msgId: string;
  messageQueue: { topic: string; brokerName: string; queueId: number };
  queueOffset: number;
}

interface OnsBase {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}

export interface OnsProducer extends OnsBase {
  send(message: OnsMessage): Promise<OnsSendResult>;
}

export type OnsHandler = (message: OnsMessage) => Promise<unknown>;

export interface OnsConsumer extends OnsBase {
  subscribe(topic: string, expression: string, handler: OnsHandler): void;
}

interface OnsModule {
  Message: OnsMessageConstructor;
  Producer: (new (options: Record<string, unknown>) => OnsProducer) & { defaultProducer?: OnsProducer | null };
  Consumer: (new (options: Record<string, unknown>) => OnsConsumer) & { ACTION_RETRY: symbol };
}

const ons = require('ali-ons') as OnsModule;

export const OnsMessage = ons.Message;
/** What an ali-ons handler returns to have the message redelivered. */
export const ACTION_RETRY = ons.Consumer.ACTION_RETRY;

/** ali-ons' logger interface, writing into `lines` (the last `keep` of them) instead of the console. */
export class CapturingLogger {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  /** Debug lines, kept apart: ali-ons writes several per pull. */
  readonly debugLines: string[] = [];

  constructor(private readonly keep = 2000) {}

  private push(level: string, args: unknown[]): void {
    const text = `${level} ${args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')}`;
    const lines = level === 'debug' ? this.debugLines : this.lines;
    lines.push(text);
    if (lines.length > this.keep) lines.splice(0, lines.length - this.keep);
    if (level === 'error') this.errors.push(text);
  }

  info = (...args: unknown[]) => this.push('info', args);
  warn = (...args: unknown[]) => this.push('warn', args);
  error = (...args: unknown[]) => this.push('error', args);
  debug = (...args: unknown[]) => this.push('debug', args);

  /** The last lines, for a failure message. */
  tail(count = 30): string {
    return this.lines.slice(-count).join('\n');
  }
}

/** Timers of ali-ons shortened so route changes, heartbeats and rebalances take a second, not thirty. */
const fastTimers = {
  pollNameServerInteval: 1000,
  heartbeatBrokerInterval: 1000,
  rebalanceInterval: 1000,
  persistConsumerOffsetInterval: 1000,
} as const;

/** Options every ali-ons object gets: the NameServer address and a truthy `httpclient`, which nameSrv makes unused. */
function baseOptions(nameSrv: string, logger: CapturingLogger): Record<string, unknown> {
  return { nameSrv, httpclient: {}, logger, ...fastTimers };
}

/** Errors an ali-ons object emitted, collected instead of printed. */
export type ErrorSink = Error[];

export async function startOnsProducer(nameSrv: string, logger: CapturingLogger, errors: ErrorSink, options: Record<string, unknown> = {}): Promise<OnsProducer> {
  const producer = new ons.Producer({ ...baseOptions(nameSrv, logger), producerGroup: 'PG_ali_ons', ...options });
  producer.on('error', (error) => errors.push(error));
  await producer.ready();
  watchInternalProducer(errors);
  return producer;
}

const watched = new WeakSet<OnsProducer>();

/** Collects the errors of ali-ons' internal producer too (it prints them to the console when nobody listens). */
function watchInternalProducer(errors: ErrorSink): void {
  const internal = ons.Producer.defaultProducer;
  if (!internal || watched.has(internal)) return;
  watched.add(internal);
  internal.on('error', (error) => errors.push(error));
}

/**
 * A push consumer. Clustering by default, reading a new group from the first
 * offset; `isBroadcast: true` for broadcasting (give each one its own
 * `instanceName`, ali-ons keys its connection manager by it).
 */
export function createOnsConsumer(nameSrv: string, group: string, logger: CapturingLogger, errors: ErrorSink, options: Record<string, unknown> = {}): OnsConsumer {
  const consumer = new ons.Consumer({
    ...baseOptions(nameSrv, logger),
    consumerGroup: group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    brokerSuspendMaxTimeMillis: 5000,
    consumerTimeoutMillisWhenSuspend: 10_000,
    pullTimeDelayMillsWhenException: 500,
    ...options,
  });
  consumer.on('error', (error) => errors.push(error));
  return consumer;
}

/**
 * The sum of the offsets ali-ons holds in memory for its queues: how many
 * messages it counts as consumed, for queues read from offset 0. ali-ons
 * advances an offset only after the handler's promise settles, so a test that
 * closes a consumer right after its handler ran could persist an offset one
 * short and see that message again (at-least-once, as in every RocketMQ
 * client); waiting on this instead closes only once the offsets moved.
 */
export function consumedOffsetTotal(consumer: OnsConsumer): number {
  const store = (consumer as unknown as { _offsetStore?: { offsetTable?: Map<string, number> } })._offsetStore;
  let total = 0;
  for (const offset of store?.offsetTable?.values() ?? []) if (offset > 0) total += offset;
  return total;
}

/** Closes the internal producer ali-ons creates on first use and never closes itself. */
export async function closeAliOnsInternals(): Promise<void> {
  const internal = ons.Producer.defaultProducer;
  ons.Producer.defaultProducer = null;
  if (internal) await internal.close();
}
