/**
 * Route lookups and route administration: GET_ROUTEINFO_BY_TOPIC (105),
 * GET_BROKER_CLUSTER_INFO (106), GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206),
 * GET_TOPICS_BY_CLUSTER (224), GET_UNIT_TOPIC_LIST (311),
 * GET_HAS_UNIT_SUB_TOPIC_LIST (312), DELETE_TOPIC_IN_NAMESRV (216),
 * WIPE_WRITE_PERM_OF_BROKER (205) and ADD_WRITE_PERM_OF_BROKER (327). Mirrors
 * RocketMQ's ClientRequestProcessor and the route half of DefaultRequestProcessor.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { encodeHeader } from '../../../sdk/protocol/fields.ts';
import { TopicSysFlag } from '../../../sdk/protocol/flags.ts';
import {
  ADD_WRITE_PERM_OF_BROKER,
  DELETE_TOPIC_IN_NAMESRV,
  GET_ROUTEINFO_BY_TOPIC,
  GET_TOPICS_BY_CLUSTER,
  WIPE_WRITE_PERM_OF_BROKER,
} from '../../../sdk/protocol/requests/namesrv.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { wantsStandardRouteJson } from '../../../sdk/protocol/version.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import { encodeClusterInfo, encodeTopicList, encodeTopicRouteData } from '../route-bodies.ts';
import type { NamesrvContext } from './context.ts';

export function getRouteInfoByTopicProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(GET_ROUTEINFO_BY_TOPIC, async (header, request) => {
    const route = await context.routing.pickupTopicRouteData(header.topic);
    if (!route) {
      return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${header.topic}`);
    }
    const standard = wantsStandardRouteJson(request.version, header.acceptStandardJsonOnly);
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, encodeTopicRouteData(route, standard));
  });
}

export function getBrokerClusterInfoProcessor(context: NamesrvContext): RequestProcessor {
  return async (request) => createResponse(request, ResponseCode.SUCCESS, undefined, undefined, encodeClusterInfo(await context.routing.getAllClusterInfo()));
}

export function getAllTopicListProcessor(context: NamesrvContext): RequestProcessor {
  return async (request) => createResponse(request, ResponseCode.SUCCESS, undefined, undefined, encodeTopicList(await context.routing.getAllTopicList()));
}

export function getTopicsByClusterProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(GET_TOPICS_BY_CLUSTER, async (header, request) =>
    createResponse(request, ResponseCode.SUCCESS, undefined, undefined, encodeTopicList(await context.routing.getTopicsByCluster(header.cluster))),
  );
}

/** Topics whose TopicSysFlag carries `flag` (unit topics, topics with unit subscriptions). */
export function getTopicsWithSysFlagProcessor(context: NamesrvContext, flag: number): RequestProcessor {
  return async (request) =>
    createResponse(request, ResponseCode.SUCCESS, undefined, undefined, encodeTopicList(await context.routing.getTopicsWithSysFlag(flag)));
}

export const unitTopicFlag = TopicSysFlag.FLAG_UNIT;
export const unitSubTopicFlag = TopicSysFlag.FLAG_UNIT_SUB;

export function deleteTopicProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(DELETE_TOPIC_IN_NAMESRV, async (header, request) => {
    await context.routing.deleteTopic(header.topic, header.clusterName || undefined);
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function wipeWritePermProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(WIPE_WRITE_PERM_OF_BROKER, async (header, request, connection) => {
    const wipeTopicCount = await context.routing.wipeWritePermOfBroker(header.brokerName);
    context.log.info('write perm wiped', { brokerName: header.brokerName, peer: connection.remoteAddress, wipeTopicCount });
    return createResponse(request, ResponseCode.SUCCESS, undefined, encodeHeader(WIPE_WRITE_PERM_OF_BROKER.response, { wipeTopicCount }));
  });
}

export function addWritePermProcessor(context: NamesrvContext): RequestProcessor {
  return withHeader(ADD_WRITE_PERM_OF_BROKER, async (header, request, connection) => {
    const addTopicCount = await context.routing.addWritePermOfBroker(header.brokerName);
    context.log.info('write perm added', { brokerName: header.brokerName, peer: connection.remoteAddress, addTopicCount });
    return createResponse(request, ResponseCode.SUCCESS, undefined, encodeHeader(ADD_WRITE_PERM_OF_BROKER.response, { addTopicCount }));
  });
}
