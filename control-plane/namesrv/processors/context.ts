/** What every name server processor works with. */
import type { Logger } from '../../../sdk/util/log.ts';
import type { RouteInfoManager } from '../../routing/route-info-manager.ts';
import type { BrokerChannels } from '../broker-channels.ts';

export interface NamesrvContext {
  readonly routing: RouteInfoManager;
  readonly channels: BrokerChannels;
  readonly registerBodyInflatedMaxBytes: number;
  readonly log: Logger;
}
