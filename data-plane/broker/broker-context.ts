/**
 * What every processor of the broker works with: settings, the store, the
 * managers, the client tables, long polling and the seams other features plug
 * into (send rewriters, filter factories). Processors receive it as their one
 * argument, so a processor file depends on nothing else of the broker.
 */
import type { Logger } from '../../sdk/util/log.ts';
import type { HostAddress, MessageStore } from '../store/message-store.ts';
import type { ConsumerManager } from './client/consumer-manager.ts';
import type { ProducerManager } from './client/producer-manager.ts';
import type { PullRequestHoldService } from './long-polling.ts';
import type { ConsumerOffsetManager } from './managers/consumer-offset-manager.ts';
import type { SubscriptionGroupManager } from './managers/subscription-group-manager.ts';
import type { TopicConfigManager } from './managers/topic-config-manager.ts';
import type { FilterRegistry } from './message-filter.ts';
import type { MessageRewriter } from './send-rewriter.ts';
import type { BrokerSettings } from './settings.ts';

/** Counters reported by GET_BROKER_RUNTIME_INFO. */
export interface BrokerStats {
  messagesPut: number;
  messagesGot: number;
  bytesPut: number;
}

export interface BrokerContext {
  readonly settings: BrokerSettings;
  readonly log: Logger;
  readonly store: MessageStore;
  readonly topicConfigs: TopicConfigManager;
  readonly subscriptionGroups: SubscriptionGroupManager;
  readonly consumerOffsets: ConsumerOffsetManager;
  readonly consumers: ConsumerManager;
  readonly producers: ProducerManager;
  readonly longPolling: PullRequestHoldService;
  readonly filters: FilterRegistry;
  /** Run in order on every message a send is about to store. */
  readonly sendRewriters: MessageRewriter[];
  readonly stats: BrokerStats;
  /** `brokerIP:listenPort`, as registered with the name servers. */
  readonly brokerAddr: string;
  readonly storeHost: HostAddress;
  readonly bootTimestamp: number;
}
