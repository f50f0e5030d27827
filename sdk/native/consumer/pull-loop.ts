/**
 * The long-polling pull loop of one queue (RocketMQ's PullMessageService +
 * pullMessage + its callback, as one async loop). Each round asks the broker
 * for up to 32 messages from the queue's next offset and lets it hold the
 * request up to 15 s when there is nothing; found messages go to the consume
 * service. Flow control: while the queue caches more than 1000 messages or
 * 100 MiB (or, orderly, holds no lock) the loop waits instead of pulling.
 */
import { BrokerResponseError } from '../../protocol/errors.ts';
import { buildPullSysFlag } from '../../protocol/flags.ts';
import { ResponseCode } from '../../protocol/response-codes.ts';
import { pullMessage, type PullRequestHeader } from '../broker-calls.ts';
import type { ClientInstance } from '../client-instance.ts';
import type { MessageExt } from '../message.ts';
import { sleep } from '../sleep.ts';
import type { OffsetStore } from './offset-store.ts';
import type { ProcessQueue } from './process-queue.ts';
import { matchesTags, type SubscriptionData } from './subscription.ts';

export interface PullSettings {
  pullBatchSize: number;
  suspendTimeoutMs: number;
  pullThresholdForQueue: number;
  pullThresholdSizeForQueueBytes: number;
  /** Wait after a failed pull (RocketMQ: 3 s). */
  pullDelayOnErrorMs: number;
  /** Wait while flow control holds (RocketMQ: 50 ms). */
  pullDelayOnFlowControlMs: number;
  postSubscriptionWhenPull: boolean;
}

export interface PullHost {
  readonly client: ClientInstance;
  readonly group: string;
  readonly clustering: boolean;
  readonly offsetStore: OffsetStore;
  readonly settings: PullSettings;
  readonly signal: AbortSignal;
  /** Lite pull consumers send their subscription with every pull (assign mode has no heartbeat subscription). */
  readonly lite: boolean;
  subscription(topic: string): SubscriptionData | undefined;
  /** Extra reasons not to pull now (orderly: no lock); returns a wait in ms, 0 to pull. */
  holdPull(processQueue: ProcessQueue): number;
  deliver(processQueue: ProcessQueue, messages: MessageExt[]): void;
  /** The broker no longer knows our subscription: heartbeat again. */
  onSubscriptionMissing(): void;
}

export async function runPullLoop(host: PullHost, processQueue: ProcessQueue): Promise<void> {
  const settings = host.settings;
  const queue = processQueue.queue;
  // One header for every pull of this queue: it is encoded before pullMessage first awaits, so each round refills it.
  const header: PullRequestHeader = {
    consumerGroup: host.group,
    topic: queue.topic,
    queueId: queue.queueId,
    queueOffset: 0,
    maxMsgNums: settings.pullBatchSize,
    sysFlag: 0,
    commitOffset: 0,
    suspendTimeoutMillis: settings.suspendTimeoutMs,
    subscription: undefined,
    subVersion: 0,
    expressionType: undefined,
  };
  while (!processQueue.dropped && !host.signal.aborted) {
    if (processQueue.messageCount > settings.pullThresholdForQueue || processQueue.messageBytes > settings.pullThresholdSizeForQueueBytes) {
      await processQueue.whenShrunk(settings.pullDelayOnFlowControlMs, host.signal);
      continue;
    }
    const hold = host.holdPull(processQueue);
    if (hold > 0) {
      await sleep(hold, host.signal);
      continue;
    }
    const subscription = host.subscription(queue.topic);
    const address = host.client.brokerAddress(queue.brokerName);
    if (!subscription || address === undefined) {
      await host.client.updateRoute(queue.topic).catch(() => undefined);
      await sleep(settings.pullDelayOnErrorMs, host.signal);
      continue;
    }
    const commitOffset = host.clustering ? (host.offsetStore.readOffset(queue) ?? 0) : 0;
    const post = settings.postSubscriptionWhenPull || host.lite;
    const requestedOffset = processQueue.nextOffset;
    let result;
    try {
      header.queueOffset = requestedOffset;
      header.maxMsgNums = settings.pullBatchSize;
      header.sysFlag = buildPullSysFlag({ commitOffset: !host.lite && host.clustering && commitOffset > 0, suspend: true, subscription: post });
      header.commitOffset = commitOffset;
      header.subscription = post ? subscription.subString : undefined;
      header.subVersion = subscription.subVersion;
      header.expressionType = subscription.expressionType;
      header.suspendTimeoutMillis = settings.suspendTimeoutMs;
      // The broker holds the pull up to suspendTimeoutMs and re-checks every few seconds.
      result = await pullMessage(host.client, address, queue.brokerName, header, settings.suspendTimeoutMs + 15_000);
    } catch (error) {
      if (processQueue.dropped || host.signal.aborted) return;
      if (error instanceof BrokerResponseError && (error.responseCode === ResponseCode.SUBSCRIPTION_NOT_EXIST || error.responseCode === ResponseCode.SUBSCRIPTION_NOT_LATEST)) {
        host.onSubscriptionMissing();
      }
      host.client.log.debug('pull failed', { queue, error });
      await sleep(settings.pullDelayOnErrorMs, host.signal);
      continue;
    }
    // A seek or a rebalance may have moved the queue while the pull was held.
    if (processQueue.dropped || requestedOffset !== processQueue.nextOffset) continue;
    processQueue.lastPullTimestamp = Date.now();
    processQueue.nextOffset = result.nextBeginOffset;
    switch (result.status) {
      case 'FOUND': {
        const messages = result.messages.filter((message) => matchesTags(subscription, message));
        if (messages.length > 0) host.deliver(processQueue, messages);
        else if (processQueue.isEmpty) host.offsetStore.updateOffset(queue, result.nextBeginOffset, true);
        break;
      }
      case 'NO_NEW_MSG':
      case 'NO_MATCHED_MSG':
        // Nothing cached: what was skipped (filtered out) counts as consumed.
        if (processQueue.isEmpty) host.offsetStore.updateOffset(queue, result.nextBeginOffset, true);
        break;
      case 'OFFSET_ILLEGAL':
        host.client.log.info('pull offset moved', { queue, from: requestedOffset, to: result.nextBeginOffset });
        processQueue.clear();
        host.offsetStore.updateOffset(queue, result.nextBeginOffset, false);
        await host.offsetStore.persist(queue).catch(() => undefined);
        break;
    }
  }
}
