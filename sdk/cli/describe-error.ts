/**
 * Turns an error from the SDK or a server into one line a user can act on:
 * what failed, where, and why, without a stack trace. Errors carrying a
 * RocketMQ response code are named by it (TOPIC_NOT_EXIST, NO_PERMISSION).
 */
import { BrokerResponseError, RemotingError } from '../protocol/errors.ts';
import { ResponseCode } from '../protocol/response-codes.ts';

const hints: ReadonlyMap<number, string> = new Map([
  [ResponseCode.TOPIC_NOT_EXIST, 'the topic does not exist (create it with `apogee topic create`)'],
  [ResponseCode.NO_PERMISSION, 'permission refused'],
  [ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, 'the consumer group does not exist (create it with `apogee group create`)'],
]);

export function describeError(error: unknown): string {
  if (error instanceof BrokerResponseError) {
    const hint = hints.get(error.responseCode);
    return hint ? `${hint}: ${error.message}` : error.message;
  }
  if (error instanceof RemotingError && error.code === 'CONNECT_FAILED') {
    return `${error.message} (is the server running? check --namesrv or APOGEE_NAMESRV)`;
  }
  if (error instanceof Error) {
    const responseCode = (error as { responseCode?: unknown }).responseCode;
    const hint = typeof responseCode === 'number' ? hints.get(responseCode) : undefined;
    const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : '';
    return `${hint ? `${hint}: ` : ''}${error.message}${cause}`;
  }
  return String(error);
}
