/**
 * CHANGE_MESSAGE_INVISIBLETIME (200053): restart a popped message's
 * invisible time (a consumer that needs longer, or a nack with a delay).
 * Mirrors RocketMQ 5's ChangeInvisibleTimeProcessor. The answer's pop time,
 * invisible time and revive queue make the new receipt handle; the old one
 * stops working.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { encodeHeader } from '../../../sdk/protocol/fields.ts';
import { CHANGE_MESSAGE_INVISIBLETIME, ChangeInvisibleTimeResponseHeader } from '../../../sdk/protocol/requests/pop.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import { parseExtraInfo } from '../pop/receipt-handle.ts';
import type { AdvancedServices } from './advanced.ts';

export function changeInvisibleTimeProcessor(services: AdvancedServices): RequestProcessor {
  return withHeader(CHANGE_MESSAGE_INVISIBLETIME, async (header, request) => {
    if (header.invisibleTime < 0) return createResponse(request, ResponseCode.INVALID_PARAMETER, `invisibleTime ${header.invisibleTime} must not be negative`);
    const parsed = parseExtraInfo(header.extraInfo);
    if (!parsed.ok) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, parsed.reason);
    const found = services.pop.findByHandle(header.consumerGroup, header.topic, header.queueId, header.offset, parsed.handle);
    if (!found.ok) return createResponse(request, ResponseCode[found.code], found.reason);
    const changed = await services.pop.changeInvisibleTime(found.ck, header.invisibleTime);
    const responseHeader = encodeHeader(ChangeInvisibleTimeResponseHeader, {
      popTime: changed.popTime,
      invisibleTime: changed.invisibleTime,
      reviveQid: changed.reviveQid,
    });
    return createResponse(request, ResponseCode.SUCCESS, undefined, responseHeader);
  });
}
