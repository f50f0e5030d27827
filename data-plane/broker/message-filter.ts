/**
 * Subscriptions and the filters built from them. A subscription is RocketMQ's
 * SubscriptionData: an expression and its type. The TAG type is served here:
 * `*` (or nothing) matches every message, otherwise the tags joined by `||`
 * match by their Java hash codes against the ConsumeQueue's tags code, as
 * RocketMQ's broker does (clients re-check the tag text themselves).
 *
 * Other expression types (SQL92) plug in through `FilterRegistry.register`;
 * a type with no factory is refused the way a RocketMQ broker without
 * `enablePropertyFilter` refuses it.
 */
import { ResponseCode } from '../../sdk/protocol/response-codes.ts';
import { javaStringHashCode } from '../../sdk/util/java-hash.ts';
import type { MessageFilter } from '../store/message-store.ts';

export const ExpressionType = { TAG: 'TAG', SQL92: 'SQL92' } as const;

/** The expression that means "every message". */
export const SUB_ALL = '*';

export interface SubscriptionData {
  topic: string;
  subString: string;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  expressionType: string;
  classFilterMode?: boolean;
}

export type FilterBuildResult =
  | { ok: true; filter: MessageFilter | undefined }
  | { ok: false; code: number; remark: string };

/** Builds the store filter of one expression type. */
export interface ExpressionFilterFactory {
  build(subscription: SubscriptionData, consumerGroup: string): FilterBuildResult;
}

/** A subscription from its expression, as RocketMQ's FilterAPI.buildSubscriptionData builds it. */
export function buildSubscriptionData(topic: string, subString: string | undefined, expressionType: string | undefined, subVersion: number): SubscriptionData {
  const type = expressionType === undefined || expressionType === '' ? ExpressionType.TAG : expressionType;
  const expression = subString === undefined || subString.trim() === '' ? SUB_ALL : subString.trim();
  const subscription: SubscriptionData = { topic, subString: expression, tagsSet: [], codeSet: [], subVersion, expressionType: type };
  if (type === ExpressionType.TAG && expression !== SUB_ALL) {
    for (const part of expression.split('||')) {
      const tag = part.trim();
      if (tag === '') continue;
      subscription.tagsSet.push(tag);
      subscription.codeSet.push(javaStringHashCode(tag));
    }
  }
  return subscription;
}

class TagsCodeFilter implements MessageFilter {
  private readonly codes: ReadonlySet<number>;

  constructor(codes: readonly number[]) {
    this.codes = new Set(codes);
  }

  isMatchedByConsumeQueue(tagsCode: number): boolean {
    return this.codes.has(tagsCode);
  }
}

export const tagFilterFactory: ExpressionFilterFactory = {
  build(subscription) {
    if (subscription.subString === SUB_ALL || subscription.subString === '') return { ok: true, filter: undefined };
    // A heartbeat may carry tags without codes (older clients); derive them.
    const codes = subscription.codeSet.length > 0 ? subscription.codeSet : subscription.tagsSet.map(javaStringHashCode);
    if (codes.length === 0) return { ok: true, filter: undefined };
    return { ok: true, filter: new TagsCodeFilter(codes) };
  },
};

/**
 * Filter factories by expression type. Built filters are cached per
 * subscription object, so a heartbeat subscription is compiled once, not on
 * every pull.
 */
export class FilterRegistry {
  private readonly factories = new Map<string, ExpressionFilterFactory>([[ExpressionType.TAG, tagFilterFactory]]);
  private readonly built = new WeakMap<SubscriptionData, FilterBuildResult>();

  register(expressionType: string, factory: ExpressionFilterFactory): void {
    this.factories.set(expressionType, factory);
  }

  filterOf(subscription: SubscriptionData, consumerGroup: string): FilterBuildResult {
    const cached = this.built.get(subscription);
    if (cached) return cached;
    const factory = this.factories.get(subscription.expressionType);
    const result: FilterBuildResult = factory
      ? factory.build(subscription, consumerGroup)
      : {
          ok: false,
          code: ResponseCode.SYSTEM_ERROR,
          remark: `The broker does not support consumer to filter message by ${subscription.expressionType}`,
        };
    this.built.set(subscription, result);
    return result;
  }
}
