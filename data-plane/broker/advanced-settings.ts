/**
 * Settings of the advanced message types (delay levels, timers, transactions,
 * queue locks, POP, dead letters), each with its RocketMQ name, unit and
 * default. They are part of the broker's settings, so flags, environment and
 * config file reach them like any other.
 */
import { permReadWrite } from '../../sdk/protocol/flags.ts';
import { lockMaxLiveTimeMsDefault } from './managers/lock-manager.ts';
import { popPollingMaxDefault } from './pop/pop-long-polling.ts';
import { reviveIntervalMsDefault } from './pop/pop-service.ts';
import { messageDelayLevelDefault } from './schedule/delay-levels.ts';
import { timerMaxDelayMsDefault } from './schedule/rewrite.ts';
import { scheduleTickIntervalMsDefault } from './schedule/schedule-message-service.ts';
import { timerTickIntervalMsDefault } from './schedule/timer-message-service.ts';
import { transactionCheckIntervalMsDefault, transactionCheckMaxDefault, transactionTimeoutMsDefault } from './transaction/check-service.ts';

/** Settings of these features, each with its RocketMQ name, unit and default. */
export interface AdvancedSettings {
  /** RocketMQ `messageDelayLevel`; tests use short levels such as "1s 2s 3s". */
  messageDelayLevel: string;
  /** RocketMQ `timerMaxDelaySec`, in ms: longer timers are refused. */
  timerMaxDelayMs: number;
  /** How often delay levels and timers are checked for due messages, ms. */
  scheduleTickIntervalMs: number;
  timerTickIntervalMs: number;
  /** RocketMQ `transactionCheckInterval` (4.9: 60 s), ms. */
  transactionCheckIntervalMs: number;
  /** RocketMQ `transactionTimeOut`: half messages younger than this are not checked, ms. */
  transactionTimeoutMs: number;
  /** RocketMQ `transactionCheckMax`: checks before a half message is discarded. */
  transactionCheckMax: number;
  /** RocketMQ `rocketmq.broker.rebalance.lockMaxLiveTime`, ms. */
  lockMaxLiveTimeMs: number;
  /** How often expired pop checkpoints are revived, ms. */
  popReviveIntervalMs: number;
  /** RocketMQ `maxPopPollingSize`: held pops at once. */
  popPollingMax: number;
  /** Perm of a new `%DLQ%` topic: 6 (read and write) as RocketMQ ≥ 4.9.2; 2 (write only) as ≤ 4.9.1. */
  dlqPerm: number;
}

export function defaultAdvancedSettings(): AdvancedSettings {
  return {
    messageDelayLevel: messageDelayLevelDefault,
    timerMaxDelayMs: timerMaxDelayMsDefault,
    scheduleTickIntervalMs: scheduleTickIntervalMsDefault,
    timerTickIntervalMs: timerTickIntervalMsDefault,
    transactionCheckIntervalMs: transactionCheckIntervalMsDefault,
    transactionTimeoutMs: transactionTimeoutMsDefault,
    transactionCheckMax: transactionCheckMaxDefault,
    lockMaxLiveTimeMs: lockMaxLiveTimeMsDefault,
    popReviveIntervalMs: reviveIntervalMsDefault,
    popPollingMax: popPollingMaxDefault,
    dlqPerm: permReadWrite,
  };
}
