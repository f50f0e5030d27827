/**
 * Which connection each registered broker address came in on. Routing state
 * may live outside this process, channels never do: this table stays local.
 * It lets the endpoint forget a broker the moment its connection closes (as
 * RocketMQ's BrokerHousekeepingService does) and close the connection of a
 * broker that expired. Only the connection of a broker's latest registration
 * counts: an old connection closing after the broker reconnected changes nothing.
 */
import type { Connection } from '../../sdk/remoting/connection.ts';

export interface BrokerAddress {
  clusterName: string;
  brokerAddr: string;
}

const keyOf = (clusterName: string, brokerAddr: string) => `${clusterName}\u0000${brokerAddr}`;

export class BrokerChannels {
  private readonly connectionByBroker = new Map<string, Connection>();
  private readonly brokersByConnection = new Map<Connection, Map<string, BrokerAddress>>();

  bind(address: BrokerAddress, connection: Connection): void {
    const key = keyOf(address.clusterName, address.brokerAddr);
    const previous = this.connectionByBroker.get(key);
    if (previous === connection) return;
    if (previous) this.brokersByConnection.get(previous)?.delete(key);
    this.connectionByBroker.set(key, connection);
    let brokers = this.brokersByConnection.get(connection);
    if (!brokers) this.brokersByConnection.set(connection, (brokers = new Map()));
    brokers.set(key, { ...address });
  }

  unbind(address: BrokerAddress): Connection | undefined {
    const key = keyOf(address.clusterName, address.brokerAddr);
    const connection = this.connectionByBroker.get(key);
    if (!connection) return undefined;
    this.connectionByBroker.delete(key);
    const brokers = this.brokersByConnection.get(connection);
    brokers?.delete(key);
    if (brokers?.size === 0) this.brokersByConnection.delete(connection);
    return connection;
  }

  /** Forgets a closed connection and returns the brokers that were registered on it. */
  release(connection: Connection): BrokerAddress[] {
    const brokers = this.brokersByConnection.get(connection);
    if (!brokers) return [];
    this.brokersByConnection.delete(connection);
    for (const key of brokers.keys()) this.connectionByBroker.delete(key);
    return [...brokers.values()];
  }
}
