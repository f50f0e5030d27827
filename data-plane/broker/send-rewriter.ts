/**
 * The seam where a message is redirected between its send and the store: a
 * delay level or timer parks it in SCHEDULE_TOPIC_XXXX, a transactional
 * prepare parks it in RMQ_SYS_TRANS_HALF_TOPIC, a retry past its last attempt
 * goes to the DLQ. Each rewriter sees every message of every send, in
 * registration order, and may change its topic, queue and properties in
 * place, or refuse the send with a response code.
 *
 * The send path pays nothing for this seam while no rewriter is registered.
 */
import type { SendMessageRequest } from '../../sdk/protocol/requests/send.ts';
import type { Connection } from '../../sdk/remoting/connection.ts';
import type { MessageToPut } from '../store/message-store.ts';
import type { TopicConfig } from './managers/topic-config-manager.ts';

export interface SendContext {
  /** The send header, V2 already converted to V1 names. */
  readonly header: SendMessageRequest;
  readonly connection: Connection;
  readonly topicConfig: TopicConfig;
  /** True for SEND_BATCH_MESSAGE. */
  readonly batch: boolean;
}

/** undefined: go on; otherwise the send is answered with this code and remark. */
export type RewriteOutcome = undefined | { code: number; remark: string };

export interface MessageRewriter {
  readonly name: string;
  rewrite(message: MessageToPut, context: SendContext): RewriteOutcome;
}
