/**
 * KV config requests from admin tools: PUT_KV_CONFIG (100), GET_KV_CONFIG (101),
 * DELETE_KV_CONFIG (102) and GET_KVLIST_BY_NAMESPACE (219). Mirrors the KV half
 * of RocketMQ's DefaultRequestProcessor, remarks included.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { encodeHeader } from '../../../sdk/protocol/fields.ts';
import { DELETE_KV_CONFIG, GET_KV_CONFIG, GET_KVLIST_BY_NAMESPACE, PUT_KV_CONFIG } from '../../../sdk/protocol/requests/namesrv.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import { encodeKVTable } from '../route-bodies.ts';
import type { NamesrvContext } from './context.ts';

export function putKVConfigProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(PUT_KV_CONFIG, async (header, request) => {
    await context.routing.kvConfig.putKVConfig(header.namespace, header.key, header.value);
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function getKVConfigProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(GET_KV_CONFIG, async (header, request) => {
    const value = await context.routing.kvConfig.getKVConfig(header.namespace, header.key);
    if (value === undefined) {
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${header.namespace} Key: ${header.key}`);
    }
    return createResponse(request, ResponseCode.SUCCESS, undefined, encodeHeader(GET_KV_CONFIG.response, { value }));
  });
}

export function deleteKVConfigProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(DELETE_KV_CONFIG, async (header, request) => {
    await context.routing.kvConfig.deleteKVConfig(header.namespace, header.key);
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function getKVListByNamespaceProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(GET_KVLIST_BY_NAMESPACE, async (header, request) => {
    const table = await context.routing.kvConfig.getKVListByNamespace(header.namespace);
    if (!table) return createResponse(request, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${header.namespace}`);
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, encodeKVTable(table));
  });
}
