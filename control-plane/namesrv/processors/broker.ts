/**
 * Requests brokers send the name server: REGISTER_BROKER (103) every 30 s,
 * UNREGISTER_BROKER (104) at shutdown and QUERY_DATA_VERSION (322). Mirrors
 * the broker half of RocketMQ's DefaultRequestProcessor.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { encodeHeader } from '../../../sdk/protocol/fields.ts';
import { parseFastjson } from '../../../sdk/protocol/fastjson.ts';
import { QUERY_DATA_VERSION, REGISTER_BROKER, UNREGISTER_BROKER } from '../../../sdk/protocol/requests/namesrv.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import { crc32Masked } from '../../../sdk/util/crc32.ts';
import { NAMESPACE_ORDER_TOPIC_CONFIG } from '../../routing/kv-config.ts';
import type { DataVersion } from '../../routing/route-state.ts';
import { decodeRegisterBrokerBody } from '../register-broker-body.ts';
import { encodeKVTable } from '../route-bodies.ts';
import type { NamesrvContext } from './context.ts';

/** The broker's zone travels as an extra header field, outside the header class (RocketMQ MixAll.ZONE_NAME). */
const ZONE_NAME_FIELD = 'zoneName';

export function registerBrokerProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(REGISTER_BROKER, async (header, request, connection) => {
    const bodyCrc32 = header.bodyCrc32 ?? 0;
    if (bodyCrc32 !== 0 && crc32Masked(request.body ?? new Uint8Array(0)) !== bodyCrc32) {
      context.log.warn('registration with a body crc32 mismatch', { peer: connection.remoteAddress, brokerName: header.brokerName });
      return createResponse(request, ResponseCode.SYSTEM_ERROR, 'crc32 not match');
    }
    const decoded = decodeRegisterBrokerBody(request.body, header.compressed === true, context.registerBodyInflatedMaxBytes);
    if (!decoded.ok) return createResponse(request, ResponseCode.SYSTEM_ERROR, decoded.reason);

    const result = await context.routing.registerBroker({
      clusterName: header.clusterName,
      brokerAddr: header.brokerAddr,
      brokerName: header.brokerName,
      brokerId: header.brokerId,
      haServerAddr: header.haServerAddr,
      zoneName: request.extFields?.[ZONE_NAME_FIELD],
      heartbeatTimeoutMillis: header.heartbeatTimeoutMillis,
      enableActingMaster: header.enableActingMaster,
      ...decoded.body,
    });
    if (result.status === 'REGISTERED') context.channels.bind(header, connection);

    const orderTopicConfig = await context.routing.kvConfig.getKVListByNamespace(NAMESPACE_ORDER_TOPIC_CONFIG);
    const extFields = encodeHeader(REGISTER_BROKER.response, { haServerAddr: result.haServerAddr, masterAddr: result.masterAddr });
    return createResponse(request, ResponseCode.SUCCESS, undefined, extFields, orderTopicConfig && encodeKVTable(orderTopicConfig));
  });
}

export function unregisterBrokerProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(UNREGISTER_BROKER, async (header, request) => {
    context.channels.unbind(header);
    await context.routing.unregisterBroker(header);
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

/** Answers whether the broker's topic set changed since it registered, with the registered DataVersion. */
export function queryDataVersionProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(QUERY_DATA_VERSION, async (header, request) => {
    let dataVersion: DataVersion | undefined;
    try {
      dataVersion = request.body && toDataVersion(parseFastjson(request.body));
    } catch {
      dataVersion = undefined;
    }
    const { changed, registered } = await context.routing.queryDataVersion(header.clusterName, header.brokerAddr, dataVersion);
    const extFields = encodeHeader(QUERY_DATA_VERSION.response, { changed });
    const body = registered && new TextEncoder().encode(JSON.stringify({ counter: registered.counter, stateVersion: registered.stateVersion, timestamp: registered.timestamp }));
    return createResponse(request, ResponseCode.SUCCESS, undefined, extFields, body);
  });
}

function toDataVersion(value: unknown): DataVersion | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const fields = value as Record<string, unknown>;
  const number = (field: unknown) => (typeof field === 'number' ? field : typeof field === 'bigint' ? Number(field) : 0);
  return { counter: number(fields.counter), timestamp: number(fields.timestamp), stateVersion: number(fields.stateVersion) };
}
