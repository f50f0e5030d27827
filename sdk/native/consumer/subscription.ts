/**
 * Subscriptions: a topic and a filter, either tags (`TagA || TagB`, `*` for
 * all) or an SQL92 expression over message properties. The broker filters by
 * the subscription registered through heartbeats; the client filters tags
 * again by their text, because the broker only compares tag hash codes.
 */
import { javaStringHashCode } from '../../util/java-hash.ts';
import type { MessageExt } from '../message.ts';

export type ExpressionType = 'TAG' | 'SQL92';

export interface SubscriptionData {
  topic: string;
  subString: string;
  expressionType: ExpressionType;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
}

/** A filter as callers give it: a tag expression, or an SQL92 selector. */
export type MessageSelector = string | { type: ExpressionType; expression: string };

export const SUB_ALL = '*';

let lastSubVersion = 0;

/** Sub versions are ms timestamps; two built in the same ms still differ. */
function nextSubVersion(): number {
  lastSubVersion = Math.max(Date.now(), lastSubVersion + 1);
  return lastSubVersion;
}

export function buildSubscription(topic: string, selector: MessageSelector = SUB_ALL): SubscriptionData {
  const { type, expression } = typeof selector === 'string' ? { type: 'TAG' as const, expression: selector } : selector;
  if (type === 'SQL92') {
    if (expression.trim() === '') throw new TypeError('an SQL92 selector needs an expression');
    return { topic, subString: expression, expressionType: 'SQL92', tagsSet: [], codeSet: [], subVersion: nextSubVersion() };
  }
  const text = expression.trim() === '' ? SUB_ALL : expression.trim();
  if (text === SUB_ALL) return { topic, subString: SUB_ALL, expressionType: 'TAG', tagsSet: [], codeSet: [], subVersion: nextSubVersion() };
  const tagsSet = [...new Set(text.split('||').map((tag) => tag.trim()).filter((tag) => tag.length > 0))];
  return { topic, subString: text, expressionType: 'TAG', tagsSet, codeSet: tagsSet.map(javaStringHashCode), subVersion: nextSubVersion() };
}

/** The heartbeat form of a subscription (SubscriptionData JSON, wire §10.1). */
export function subscriptionJson(subscription: SubscriptionData): Record<string, unknown> {
  return {
    classFilterMode: false,
    codeSet: subscription.codeSet,
    expressionType: subscription.expressionType,
    subString: subscription.subString,
    subVersion: subscription.subVersion,
    tagsSet: subscription.tagsSet,
    topic: subscription.topic,
  };
}

/** Client-side tag check: the broker matched the hash, this matches the text. */
export function matchesTags(subscription: SubscriptionData, message: MessageExt): boolean {
  if (subscription.expressionType !== 'TAG' || subscription.tagsSet.length === 0) return true;
  const tags = message.tags;
  return tags !== undefined && subscription.tagsSet.includes(tags);
}
