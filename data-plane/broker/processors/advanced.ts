/**
 * The advanced message types and consumption models, plugged into a broker
 * in one call: delay levels and millisecond timers, retry and dead letters,
 * transactions with check-back, orderly-consumption queue locks, SQL92
 * property filters and POP.
 *
 * `registerAdvanced` starts the services, adds the send rewriters
 * (transaction half messages first, then the retry-to-DLQ rule of direct
 * `%RETRY%` sends, then delays and timers), registers the SQL92 filter
 * factory and the processors of CONSUMER_SEND_MSG_BACK, END_TRANSACTION,
 * LOCK_BATCH_MQ, UNLOCK_BATCH_MQ, POP_MESSAGE, ACK_MESSAGE and
 * CHANGE_MESSAGE_INVISIBLETIME. `Broker.start` calls it after the store and
 * managers are up and before clients are let in, with the broker's settings
 * (`messageDelayLevel`, `transactionCheckIntervalMs`, …); `Broker.close`
 * closes the services before the store.
 *
 * @example
 * const advanced = await registerAdvanced(context, remotingServer);
 * // … on shutdown:
 * await advanced.close();
 */
import { PermName } from '../../../sdk/protocol/flags.ts';
import { MessageConst } from '../../../sdk/protocol/message-properties.ts';
import { RequestCode } from '../../../sdk/protocol/requests/index.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { dlqTopic, groupOfRetryOrDlqTopic, isRetryTopic } from '../../../sdk/protocol/topic-names.ts';
import type { RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { AdvancedSettings } from '../advanced-settings.ts';
import type { BrokerContext } from '../broker-context.ts';
import { createSql92MessageFilter } from '../filter/message-filter.ts';
import { RebalanceLockManager } from '../managers/lock-manager.ts';
import { ExpressionType } from '../message-filter.ts';
import { PopLongPolling } from '../pop/pop-long-polling.ts';
import { PopService } from '../pop/pop-service.ts';
import { PopState } from '../pop/pop-state.ts';
import { editProperties } from '../schedule/message-copy.ts';
import { delayLevelTable, type DelayLevelTable } from '../schedule/delay-levels.ts';
import { mayDelayOrTime, rewriteForDelay } from '../schedule/rewrite.ts';
import { ScheduleMessageService } from '../schedule/schedule-message-service.ts';
import { TimerMessageService } from '../schedule/timer-message-service.ts';
import type { MessageRewriter } from '../send-rewriter.ts';
import { TransactionCheckService } from '../transaction/check-service.ts';
import { isTransactionHalf, rewriteForTransaction } from '../transaction/rewrite.ts';
import { TransactionalMessageService } from '../transaction/transactional-message-service.ts';
import { ackMessageProcessor } from './ack.ts';
import { changeInvisibleTimeProcessor } from './change-invisible-time.ts';
import { endTransactionProcessor } from './end-transaction.ts';
import { lockBatchMqProcessor, unlockBatchMqProcessor } from './lock.ts';
import { popMessageProcessor } from './pop.ts';
import { consumerSendMsgBackProcessor } from './send-back.ts';

export { defaultAdvancedSettings, type AdvancedSettings } from '../advanced-settings.ts';

export interface AdvancedServices {
  readonly settings: AdvancedSettings;
  readonly delayLevels: DelayLevelTable;
  readonly schedule: ScheduleMessageService;
  readonly timer: TimerMessageService;
  readonly transactions: TransactionalMessageService;
  readonly transactionCheck: TransactionCheckService;
  readonly locks: RebalanceLockManager;
  readonly pop: PopService;
  readonly popPolling: PopLongPolling;
  close(): Promise<void>;
}

/** Where the processors go: the broker's RemotingServer, or `Broker` itself (every port). */
export interface ProcessorRegistrar {
  registerProcessor(code: number, processor: RequestProcessor): unknown;
}

/** Starts the services and registers rewriters, the SQL92 filter and the processors on `server`. */
export async function registerAdvanced(broker: BrokerContext, server: ProcessorRegistrar): Promise<AdvancedServices> {
  const settings: AdvancedSettings = broker.settings;
  const services = await startServices(broker, settings);
  broker.sendRewriters.push(...sendRewriters(broker, services));
  broker.filters.register(ExpressionType.SQL92, {
    build(subscription) {
      const created = createSql92MessageFilter(subscription.subString);
      return created.ok ? { ok: true, filter: created.messageFilter } : { ok: false, code: ResponseCode.SUBSCRIPTION_PARSE_FAILED, remark: created.error };
    },
  });
  const table: ReadonlyArray<readonly [number, RequestProcessor]> = [
    [RequestCode.CONSUMER_SEND_MSG_BACK, consumerSendMsgBackProcessor(broker, services)],
    [RequestCode.END_TRANSACTION, endTransactionProcessor(broker, services)],
    [RequestCode.LOCK_BATCH_MQ, lockBatchMqProcessor(services)],
    [RequestCode.UNLOCK_BATCH_MQ, unlockBatchMqProcessor(services)],
    [RequestCode.POP_MESSAGE, popMessageProcessor(broker, services)],
    [RequestCode.ACK_MESSAGE, ackMessageProcessor(services)],
    [RequestCode.CHANGE_MESSAGE_INVISIBLETIME, changeInvisibleTimeProcessor(services)],
  ];
  for (const [code, processor] of table) server.registerProcessor(code, processor);
  return services;
}

async function startServices(broker: BrokerContext, settings: AdvancedSettings): Promise<AdvancedServices> {
  const { store, log } = broker;
  const dataDir = broker.settings.dataDir;
  const delayLevels = delayLevelTable(settings.messageDelayLevel);
  const schedule = await ScheduleMessageService.start({ store, dataDir, delayLevels, log, tickIntervalMs: settings.scheduleTickIntervalMs });
  const timer = await TimerMessageService.start({ store, dataDir, log, tickIntervalMs: settings.timerTickIntervalMs });
  const transactions = new TransactionalMessageService({
    store,
    log,
    isSlave: () => broker.settings.brokerRole === 'SLAVE',
    rewriteCommitted: (message) => {
      const rewrite = rewriteForDelay(message, { delayLevels, timerMaxDelayMs: settings.timerMaxDelayMs });
      return rewrite.ok ? rewrite.message : message;
    },
  });
  const transactionCheck = new TransactionCheckService({
    store,
    transactions,
    offsets: broker.consumerOffsets,
    producerConnection: (group) => broker.producers.getAvailableChannel(group),
    brokerName: broker.settings.brokerName,
    log,
    checkIntervalMs: settings.transactionCheckIntervalMs,
    transactionTimeoutMs: settings.transactionTimeoutMs,
    checkMax: settings.transactionCheckMax,
  }).start();
  const pop = new PopService({
    store,
    state: await PopState.load(dataDir, log),
    brokerName: broker.settings.brokerName,
    log,
    topicConfig: (topic) => broker.topicConfigs.get(topic),
    createTopicIfAbsent: (topic, queueNums, perm) => broker.topicConfigs.createTopicIfAbsent(topic, queueNums, perm),
    groupConfig: (group) => broker.subscriptionGroups.findOrCreate(group),
    queryConsumeOffset: (group, topic, queueId) => broker.consumerOffsets.queryOffset(group, topic, queueId),
    commitConsumeOffset: (group, topic, queueId, offset) => broker.consumerOffsets.commitOffset(group, topic, queueId, offset),
    dlqPerm: settings.dlqPerm,
    reviveIntervalMs: settings.popReviveIntervalMs,
  }).start();
  const popPolling = new PopLongPolling(store, settings.popPollingMax);
  const locks = new RebalanceLockManager(settings.lockMaxLiveTimeMs);
  return {
    settings, delayLevels, schedule, timer, transactions, transactionCheck, locks, pop, popPolling,
    async close() {
      popPolling.close();
      await Promise.all([schedule.close(), timer.close(), transactionCheck.close(), pop.close()]);
    },
  };
}

/** The rewriters, in the order RocketMQ applies these rules. */
function sendRewriters(broker: BrokerContext, services: AdvancedServices): MessageRewriter[] {
  const delayOptions = { delayLevels: services.delayLevels, timerMaxDelayMs: services.settings.timerMaxDelayMs };
  return [
    {
      name: 'transaction-half',
      rewrite(message) {
        if (!isTransactionHalf(message)) return undefined;
        const half = rewriteForTransaction(message);
        if (half.rewritten) Object.assign(message, half.message);
        return undefined;
      },
    },
    {
      // A client whose send-back failed sends the retry itself; past its last attempt it goes to the DLQ (RocketMQ 4.9's handleRetryAndDLQ).
      name: 'retry-to-dlq',
      rewrite(message, context) {
        if (!isRetryTopic(context.header.topic) || message.topic !== context.header.topic) return undefined;
        const group = groupOfRetryOrDlqTopic(message.topic)!;
        const maxTimes = context.header.maxReconsumeTimes ?? broker.subscriptionGroups.findOrCreate(group)?.retryMaxTimes ?? 16;
        if ((context.header.reconsumeTimes ?? 0) < maxTimes) return undefined;
        const dlq = broker.topicConfigs.createTopicIfAbsent(dlqTopic(group), 1, services.settings.dlqPerm);
        if ((dlq.perm & PermName.PERM_WRITE) === 0) return { code: ResponseCode.NO_PERMISSION, remark: `the topic[${dlq.topicName}] sending message is forbidden` };
        message.topic = dlq.topicName;
        message.queueId = 0;
        // A dead letter waits for nobody: the retry's delay level no longer applies.
        message.properties = editProperties(message.properties, { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: undefined });
        return undefined;
      },
    },
    {
      name: 'delay-and-timer',
      rewrite(message) {
        if (!mayDelayOrTime(message)) return undefined;
        const rewrite = rewriteForDelay(message, delayOptions);
        if (!rewrite.ok) return { code: ResponseCode.MESSAGE_ILLEGAL, remark: rewrite.reason };
        if (rewrite.rewritten) Object.assign(message, rewrite.message);
        return undefined;
      },
    },
  ];
}
