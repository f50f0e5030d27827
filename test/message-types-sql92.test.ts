/**
 * SQL92 property filters end to end: messages with numeric and string
 * properties are sent, then pulled with a PULL_MESSAGE whose subscription is
 * an SQL92 expression (expressionType SQL92, subscription flag set) and
 * popped with POP_MESSAGE's expType/exp; exactly the matching messages come
 * back. A malformed expression is refused with SUBSCRIPTION_PARSE_FAILED and
 * a remark naming the column and what was expected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProperty } from '../sdk/protocol/message-properties.ts';
import { POP_MESSAGE } from '../sdk/protocol/requests/pop.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';
import { newClient, pullRequest, records, sendRequest } from './helpers/broker-harness.ts';
import { request, send, startAdvancedBroker, type AdvancedBroker } from './message-types-helpers.ts';

let broker: AdvancedBroker;
let client: RemotingClient;
const topic = 'TopicSql';

beforeAll(async () => {
  broker = await startAdvancedBroker({});
  client = newClient();
  for (let i = 0; i < 10; i++) {
    const properties: Record<string, string> = { a: String(i), color: i % 2 === 0 ? 'red' : 'blue' };
    if (i === 9) delete properties.color;
    const sent = await send(client, broker.address, sendRequest({ topic, body: `m${i}`, tags: i < 5 ? 'low' : 'high', properties }));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
  }
});

afterAll(async () => {
  await client.close();
  await broker.close();
});

async function pullMatching(expression: string): Promise<string[]> {
  const bodies: string[] = [];
  let offset = 0;
  for (let round = 0; round < 20; round++) {
    const response = await client.invokeSync(
      broker.address,
      pullRequest({ topic, consumerGroup: 'CG_sql', queueId: 0, queueOffset: offset, subscription: expression, expressionType: 'SQL92' }),
      5000,
    );
    if (response.code === ResponseCode.SUCCESS) {
      for (const record of records(response)) bodies.push(new TextDecoder().decode(record.body));
    } else if (response.code !== ResponseCode.PULL_RETRY_IMMEDIATELY) break;
    const next = Number(response.extFields?.nextBeginOffset);
    if (!(next > offset)) break;
    offset = next;
  }
  return bodies;
}

describe('SQL92 filtering on the broker', () => {
  it('pulls exactly the messages whose properties match', async () => {
    expect(await pullMatching('a > 5 AND a <= 8')).toEqual(['m6', 'm7', 'm8']);
    expect(await pullMatching("color = 'red' OR a BETWEEN 7 AND 7")).toEqual(['m0', 'm2', 'm4', 'm6', 'm7', 'm8']);
    expect(await pullMatching("color <> 'red'")).toEqual(['m1', 'm3', 'm5', 'm7']);
    expect(await pullMatching('color IS NULL')).toEqual(['m9']);
    expect(await pullMatching("TAGS IN ('high') AND NOT (a = 6)")).toEqual(['m5', 'm7', 'm8', 'm9']);
  });

  it('refuses a malformed expression with SUBSCRIPTION_PARSE_FAILED naming the column', async () => {
    const response = await client.invokeSync(
      broker.address,
      pullRequest({ topic, consumerGroup: 'CG_sql', queueId: 0, queueOffset: 0, subscription: 'a > AND b', expressionType: 'SQL92' }),
      5000,
    );
    expect(response.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(response.remark).toContain('column 5');
    expect(response.remark).toContain('expected a value');
  });

  it('filters POP_MESSAGE with expType SQL92', async () => {
    const response = await client.invokeSync(
      broker.address,
      request(POP_MESSAGE.code, POP_MESSAGE.request, {
        consumerGroup: 'CG_sql_pop', topic, queueId: 0, maxMsgNums: 32, invisibleTime: 60_000, pollTime: 0,
        bornTime: Date.now(), initMode: 0, expType: 'SQL92', exp: 'a < 3', order: false,
      }),
      5000,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(records(response).map((record) => findProperty(record.properties, 'a'))).toEqual(['0', '1', '2']);
  });
});
