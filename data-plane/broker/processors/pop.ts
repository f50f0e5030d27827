/**
 * POP_MESSAGE (200050): pop messages with an invisible time. Mirrors
 * RocketMQ 5's PopMessageProcessor for unordered pops: the answer carries
 * the records and, in its header, the pop time, invisible time, revive queue
 * and the per-queue `startOffsetInfo` / `msgOffsetInfo` from which clients
 * build receipt handles. A pop that finds nothing is held up to `pollTime`
 * and then answered POLLING_TIMEOUT.
 */
import { createResponse, type RemotingCommand } from '../../../sdk/protocol/command.ts';
import { encodeHeader, type HeaderOf } from '../../../sdk/protocol/fields.ts';
import { isReadable } from '../../../sdk/protocol/flags.ts';
import { POP_MESSAGE, PopMessageResponseHeader, popMessagesMax } from '../../../sdk/protocol/requests/pop.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { popRetryTopic } from '../../../sdk/protocol/topic-names.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { BrokerContext } from '../broker-context.ts';
import { buildSubscriptionData } from '../message-filter.ts';
import type { PopRequest, PopResult } from '../pop/pop-service.ts';
import type { AdvancedServices } from './advanced.ts';

/** A request whose poll time already ran out this long ago is answered at once (RocketMQ's 500 ms). */
const bornTimeSlackMs = 500;

type PopHeader = HeaderOf<typeof POP_MESSAGE.request>;

export function popMessageProcessor(broker: BrokerContext, services: AdvancedServices): RequestProcessor {
  return withHeader(POP_MESSAGE, async (header, request) => {
    const refused = checkRequest(broker, header, request);
    if (refused) return refused;
    const built = broker.filters.filterOf(buildSubscriptionData(header.topic, header.exp, header.expType, 0), header.consumerGroup);
    if (!built.ok) return createResponse(request, built.code, built.remark);
    const popRequest: PopRequest = {
      group: header.consumerGroup,
      topic: header.topic,
      queueId: header.queueId,
      maxMsgNums: header.maxMsgNums,
      invisibleTime: header.invisibleTime,
      initMode: header.initMode,
      filter: built.filter,
    };
    let result = await services.pop.pop(popRequest);
    const deadline = Date.now() + Math.max(0, header.pollTime);
    const topics = [header.topic, popRetryTopic(header.consumerGroup, header.topic, false)];
    while (result.records.length === 0 && Date.now() < deadline) {
      const outcome = await services.popPolling.wait(topics, deadline - Date.now());
      if (outcome === 'full') return createResponse(request, ResponseCode.POLLING_FULL, 'the pop long-polling table is full');
      result = await services.pop.pop(popRequest);
      if (outcome === 'timeout') break;
    }
    if (result.records.length === 0) return createResponse(request, ResponseCode.POLLING_TIMEOUT, 'no new message');
    return answer(request, header, result);
  });
}

function checkRequest(broker: BrokerContext, header: PopHeader, request: RemotingCommand): RemotingCommand | undefined {
  if (header.maxMsgNums > popMessagesMax || header.maxMsgNums < 1) {
    return createResponse(request, ResponseCode.INVALID_PARAMETER, `maxMsgNums ${header.maxMsgNums} must be 1..${popMessagesMax}`);
  }
  if (header.invisibleTime <= 0) return createResponse(request, ResponseCode.INVALID_PARAMETER, `invisibleTime ${header.invisibleTime} must be positive`);
  if (Date.now() - header.bornTime - header.pollTime > bornTimeSlackMs) {
    return createResponse(request, ResponseCode.POLLING_TIMEOUT, 'the pop request timed out before it arrived');
  }
  if (!isReadable(broker.settings.brokerPermission)) return createResponse(request, ResponseCode.NO_PERMISSION, 'the broker is not readable');
  const topicConfig = broker.topicConfigs.get(header.topic);
  if (!topicConfig) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic ${header.topic} does not exist`);
  if (!isReadable(topicConfig.perm)) return createResponse(request, ResponseCode.NO_PERMISSION, `the topic ${header.topic} is not readable`);
  if (header.queueId >= topicConfig.readQueueNums || header.queueId < -1) {
    return createResponse(request, ResponseCode.INVALID_PARAMETER, `queueId ${header.queueId} is not a queue of ${header.topic} (0..${topicConfig.readQueueNums - 1}, or -1)`);
  }
  const group = broker.subscriptionGroups.findOrCreate(header.consumerGroup);
  if (!group) return createResponse(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group ${header.consumerGroup} does not exist`);
  if (!group.consumeEnable) return createResponse(request, ResponseCode.NO_PERMISSION, `subscription group ${header.consumerGroup} may not consume`);
  return undefined;
}

function answer(request: RemotingCommand, header: PopHeader, result: PopResult): RemotingCommand {
  const responseHeader: HeaderOf<typeof PopMessageResponseHeader> = {
    popTime: result.popTime,
    invisibleTime: header.invisibleTime,
    reviveQid: result.reviveQid,
    restNum: result.restNum,
    startOffsetInfo: result.startOffsetInfo,
    msgOffsetInfo: result.msgOffsetInfo,
  };
  let size = 0;
  for (const record of result.records) size += record.length;
  const body = new Uint8Array(size);
  let at = 0;
  for (const record of result.records) {
    body.set(record, at);
    at += record.length;
  }
  return createResponse(request, ResponseCode.SUCCESS, undefined, encodeHeader(PopMessageResponseHeader, responseHeader), body);
}
