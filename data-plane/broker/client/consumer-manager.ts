/**
 * Live consumers (RocketMQ's ConsumerManager and ConsumerGroupInfo): which
 * connections belong to which consumer group, with the subscriptions their
 * last heartbeat carried. A change of a group's membership (a new client, a
 * client gone) is reported to the listener, which tells the remaining
 * members to rebalance.
 */
import type { Connection } from '../../../sdk/remoting/connection.ts';
import type { SubscriptionData } from '../message-filter.ts';

export interface ClientChannelInfo {
  connection: Connection;
  clientId: string;
  language: string;
  version: number;
  lastUpdateTimestamp: number;
}

export class ConsumerGroupInfo {
  readonly groupName: string;
  readonly channels = new Map<Connection, ClientChannelInfo>();
  readonly subscriptions = new Map<string, SubscriptionData>();
  consumeType = 'CONSUME_PASSIVELY';
  messageModel = 'CLUSTERING';
  consumeFromWhere = 'CONSUME_FROM_LAST_OFFSET';
  lastUpdateTimestamp = Date.now();

  constructor(groupName: string) {
    this.groupName = groupName;
  }

  clientIds(): string[] {
    return [...this.channels.values()].map((channel) => channel.clientId);
  }
}

export interface ConsumerRegistration {
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  subscriptions: SubscriptionData[];
}

/** `group` changed membership; `remaining` are its channels now. */
export type ConsumerIdsChangeListener = (group: string, remaining: ClientChannelInfo[]) => void;

export class ConsumerManager {
  private readonly groups = new Map<string, ConsumerGroupInfo>();
  private readonly onChange: ConsumerIdsChangeListener;

  constructor(onChange: ConsumerIdsChangeListener) {
    this.onChange = onChange;
  }

  get(group: string): ConsumerGroupInfo | undefined {
    return this.groups.get(group);
  }

  all(): IterableIterator<ConsumerGroupInfo> {
    return this.groups.values();
  }

  /** The group's subscription of `topic` as its last heartbeat carried it. */
  findSubscriptionData(group: string, topic: string): SubscriptionData | undefined {
    return this.groups.get(group)?.subscriptions.get(topic);
  }

  /**
   * Registers (or refreshes) a consumer channel from a heartbeat. Returns
   * whether the group's membership changed; the listener has then been told
   * when `notify` is true.
   */
  registerConsumer(group: string, channel: ClientChannelInfo, registration: ConsumerRegistration, notify: boolean): boolean {
    let info = this.groups.get(group);
    if (!info) {
      info = new ConsumerGroupInfo(group);
      this.groups.set(group, info);
    }
    info.consumeType = registration.consumeType;
    info.messageModel = registration.messageModel;
    info.consumeFromWhere = registration.consumeFromWhere;
    info.lastUpdateTimestamp = channel.lastUpdateTimestamp;
    const existing = info.channels.get(channel.connection);
    let changed = false;
    if (existing) {
      existing.lastUpdateTimestamp = channel.lastUpdateTimestamp;
      if (existing.clientId !== channel.clientId) {
        existing.clientId = channel.clientId;
        changed = true;
      }
    } else {
      info.channels.set(channel.connection, channel);
      changed = true;
    }
    this.updateSubscriptions(info, registration.subscriptions);
    if (changed && notify) this.onChange(group, [...info.channels.values()]);
    return changed;
  }

  /** Removes one connection from one group (UNREGISTER_CLIENT). */
  unregisterConsumer(group: string, connection: Connection, notify: boolean): void {
    const info = this.groups.get(group);
    if (!info || !info.channels.delete(connection)) return;
    if (info.channels.size === 0) this.groups.delete(group);
    else if (notify) this.onChange(group, [...info.channels.values()]);
  }

  /** Removes a closed connection from every group; `notifyOf` says which groups want a notification. */
  removeConnection(connection: Connection, notifyOf: (group: string) => boolean): void {
    for (const [group, info] of [...this.groups]) {
      if (!info.channels.delete(connection)) continue;
      if (info.channels.size === 0) this.groups.delete(group);
      else if (notifyOf(group)) this.onChange(group, [...info.channels.values()]);
    }
  }

  /** Connections whose last heartbeat is older than `expiredMs`. */
  expiredConnections(now: number, expiredMs: number): Set<Connection> {
    const expired = new Set<Connection>();
    for (const info of this.groups.values()) {
      for (const channel of info.channels.values()) {
        if (now - channel.lastUpdateTimestamp > expiredMs) expired.add(channel.connection);
      }
    }
    return expired;
  }

  /** Groups subscribed to `topic`. */
  groupsSubscribing(topic: string): string[] {
    const groups: string[] = [];
    for (const info of this.groups.values()) if (info.subscriptions.has(topic)) groups.push(info.groupName);
    return groups;
  }

  /**
   * Replaces the group's subscriptions with the heartbeat's. An unchanged
   * subscription keeps its object, so its compiled filter stays cached.
   */
  private updateSubscriptions(info: ConsumerGroupInfo, subscriptions: SubscriptionData[]): void {
    const seen = new Set<string>();
    for (const next of subscriptions) {
      seen.add(next.topic);
      const current = info.subscriptions.get(next.topic);
      if (current && current.subString === next.subString && current.expressionType === next.expressionType) {
        if (next.subVersion > current.subVersion) current.subVersion = next.subVersion;
        continue;
      }
      info.subscriptions.set(next.topic, next);
    }
    for (const topic of [...info.subscriptions.keys()]) if (!seen.has(topic)) info.subscriptions.delete(topic);
  }
}
