/**
 * The name server's KV config (RocketMQ's KVConfigManager): string values
 * under a namespace and a key, set by admin tools. The one namespace with a
 * meaning to routing is ORDER_TOPIC_CONFIG: its value for a topic becomes the
 * route's `orderTopicConf` (`brokerName:queueNum;...`), and brokers receive the
 * whole namespace in the answer to every registration.
 */
import type { RouteState } from './route-state.ts';

/** RocketMQ's NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG. */
export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';

export class KVConfigManager {
  private readonly state: RouteState;

  constructor(state: RouteState) {
    this.state = state;
  }

  putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    return this.state.putKVConfig(namespace, key, value);
  }

  getKVConfig(namespace: string, key: string): Promise<string | undefined> {
    return this.state.getKVConfig(namespace, key);
  }

  deleteKVConfig(namespace: string, key: string): Promise<void> {
    return this.state.deleteKVConfig(namespace, key);
  }

  /** The namespace's table, or undefined when nothing was ever put in it. */
  getKVListByNamespace(namespace: string): Promise<Record<string, string> | undefined> {
    return this.state.getKVTable(namespace);
  }
}
