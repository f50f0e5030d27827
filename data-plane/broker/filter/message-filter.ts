/**
 * The seam between a subscription's filter and the store's getMessage: the
 * store first asks about the ConsumeQueue unit (tags code), then, for filters
 * that need it, about the record's properties. An SQL92 filter passes every
 * unit and decides on the properties, looking up only the properties the
 * expression names, straight in the encoded text.
 *
 * @example
 * const filter = createSql92MessageFilter("a > 5");
 * if (!filter.ok) return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, filter.error);
 * store.getMessage(topic, queueId, offset, maxMsgNums, undefined, filter.messageFilter);
 */
import { findProperty } from '../../../sdk/protocol/message-properties.ts';
import type { MessageFilter } from '../../store/message-store.ts';
import { compileSql92, type CompiledSql92 } from './sql92.ts';

/** RocketMQ's ExpressionType names. */
export const ExpressionType = { TAG: 'TAG', SQL92: 'SQL92' } as const;

export function isSql92(expressionType: string | undefined): boolean {
  return expressionType !== undefined && expressionType.toUpperCase() === ExpressionType.SQL92;
}

export class Sql92MessageFilter implements MessageFilter {
  constructor(readonly compiled: CompiledSql92) {}

  isMatchedByConsumeQueue(_tagsCode: number): boolean {
    return true;
  }

  isMatchedByCommitLog(properties: string, _record?: Uint8Array): boolean {
    return this.compiled.filterBy((name) => findProperty(properties, name));
  }
}

export type Sql92FilterResult = { ok: true; messageFilter: Sql92MessageFilter } | { ok: false; error: string };

const filters = new WeakMap<CompiledSql92, Sql92MessageFilter>();

/** A store MessageFilter for an SQL92 expression, or the parse error to answer SUBSCRIPTION_PARSE_FAILED with. */
export function createSql92MessageFilter(expression: string): Sql92FilterResult {
  const compiled = compileSql92(expression);
  if (!compiled.ok) return { ok: false, error: compiled.error };
  let messageFilter = filters.get(compiled);
  if (!messageFilter) {
    messageFilter = new Sql92MessageFilter(compiled);
    filters.set(compiled, messageFilter);
  }
  return { ok: true, messageFilter };
}
