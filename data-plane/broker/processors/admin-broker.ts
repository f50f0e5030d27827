/**
 * Broker runtime: GET_BROKER_CONFIG (26), GET_BROKER_RUNTIME_INFO (28).
 * Mirrors the runtime half of RocketMQ's AdminBrokerProcessor.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { encodeKVTable } from '../../../sdk/protocol/bodies/small.ts';
import { currentVersion } from '../../../sdk/protocol/version.ts';
import type { RequestProcessor } from '../../../sdk/remoting/server.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import type { BrokerContext } from '../broker-context.ts';

const textEncoder = new TextEncoder();

/** The settings as Java properties text, `key=value` per line, as RocketMQ answers. */
export function getBrokerConfigProcessor(broker: BrokerContext): RequestProcessor {
  return (request) => {
    const lines: string[] = [];
    for (const [key, value] of Object.entries(broker.settings)) {
      if (value === undefined) continue;
      lines.push(`${key}=${Array.isArray(value) ? value.join(';') : String(value)}`);
    }
    const version = JSON.stringify({ counter: 0, stateVersion: 0, timestamp: broker.bootTimestamp });
    return createResponse(request, ResponseCode.SUCCESS, undefined, { version }, textEncoder.encode(lines.join('\n') + '\n'));
  };
}

export function getBrokerRuntimeInfoProcessor(broker: BrokerContext): RequestProcessor {
  return (request) => {
    const store = broker.store;
    const now = Date.now();
    const writes = store.commitLogWriteStats();
    const table = new Map<string, string>([
      ['brokerVersion', String(currentVersion)],
      ['brokerVersionDesc', 'APOGEE'],
      ['bootTimestamp', String(broker.bootTimestamp)],
      ['runtime', runtimeText(now - broker.bootTimestamp)],
      ['msgPutTotalTodayNow', String(broker.stats.messagesPut)],
      ['msgGetTotalTodayNow', String(broker.stats.messagesGot)],
      ['putMessageSizeTotal', String(broker.stats.bytesPut)],
      ['commitLogMinOffset', String(store.getMinPhyOffset())],
      ['commitLogMaxOffset', String(store.getMaxPhyOffset())],
      ['earliestMessageTimeStamp', String(store.getEarliestMessageTime())],
      ['heldPullRequests', String(broker.longPolling.size)],
      ['topicCount', String(broker.topicConfigs.size)],
      ['brokerRole', broker.settings.brokerRole],
      ['flushDiskType', broker.settings.flushDiskType],
      // Apogee's own: what handing CommitLog bytes to the OS costs (a slow page cache shows here first).
      ['commitLogWriteBytes', String(writes.bytes)],
      ['commitLogWriteMs', writes.ms.toFixed(3)],
      ['commitLogWriteMsPerMiB', writes.recentMsPerMiB.toFixed(3)],
      ['commitLogInlineWrites', String(writes.inlineWrites)],
      ['commitLogThreadWrites', String(writes.threadWrites)],
    ]);
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(encodeKVTable(table)));
  };
}

/** RocketMQ's `[ d days, h hours, m minutes, s seconds ]` uptime text. */
function runtimeText(elapsedMs: number): string {
  const seconds = Math.floor(elapsedMs / 1000);
  return `[ ${Math.floor(seconds / 86400)} days, ${Math.floor(seconds / 3600) % 24} hours, ${Math.floor(seconds / 60) % 60} minutes, ${seconds % 60} seconds ]`;
}
