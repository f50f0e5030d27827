/**
 * Live producers (RocketMQ's ProducerManager): which connections belong to
 * which producer group. Transaction check-backs need a live connection of the
 * group that sent a half message; admin tools list the connections.
 */
import type { Connection } from '../../../sdk/remoting/connection.ts';
import type { ClientChannelInfo } from './consumer-manager.ts';

export class ProducerManager {
  private readonly groups = new Map<string, Map<Connection, ClientChannelInfo>>();
  private nextPick = 0;

  registerProducer(group: string, channel: ClientChannelInfo): void {
    let channels = this.groups.get(group);
    if (!channels) {
      channels = new Map();
      this.groups.set(group, channels);
    }
    const existing = channels.get(channel.connection);
    if (existing) {
      existing.lastUpdateTimestamp = channel.lastUpdateTimestamp;
      existing.clientId = channel.clientId;
    } else channels.set(channel.connection, channel);
  }

  unregisterProducer(group: string, connection: Connection): void {
    const channels = this.groups.get(group);
    if (!channels) return;
    channels.delete(connection);
    if (channels.size === 0) this.groups.delete(group);
  }

  removeConnection(connection: Connection): void {
    for (const [group, channels] of [...this.groups]) {
      if (channels.delete(connection) && channels.size === 0) this.groups.delete(group);
    }
  }

  channels(group: string): ClientChannelInfo[] {
    return [...(this.groups.get(group)?.values() ?? [])];
  }

  /** A live connection of the group, rotating between them; undefined when none is left. */
  getAvailableChannel(group: string): Connection | undefined {
    const live = this.channels(group).filter((channel) => !channel.connection.closed);
    if (live.length === 0) return undefined;
    this.nextPick = (this.nextPick + 1) % 0x7fffffff;
    return live[this.nextPick % live.length]!.connection;
  }

  expiredConnections(now: number, expiredMs: number): Set<Connection> {
    const expired = new Set<Connection>();
    for (const channels of this.groups.values()) {
      for (const channel of channels.values()) if (now - channel.lastUpdateTimestamp > expiredMs) expired.add(channel.connection);
    }
    return expired;
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }
}
