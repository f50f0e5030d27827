/**
 * A producer process for the durability test. It sends SEND_MESSAGE_V2
 * requests straight to one broker over one connection, round robin over the
 * topic's queues, keeping a window of sends in flight, and prints one line per
 * send the broker answered SUCCESS to (see formatAck). After the first failed
 * send (the broker was killed) it sends nothing more, waits for the sends still
 * in flight to settle, prints `done acked=<n> failed=<n>` and exits 0.
 *
 * Usage: durability-producer.ts --broker <host:port> --topic <topic> --queues <n>
 *          --round <n> [--window <n>] [--limit <n>]
 */
import { parseArgs } from 'node:util';
import { createRequest } from '../../sdk/protocol/command.ts';
import { decodeHeader, encodeHeader } from '../../sdk/protocol/fields.ts';
import { encodeProperties } from '../../sdk/protocol/message-properties.ts';
import { RequestCode } from '../../sdk/protocol/requests/index.ts';
import { SendMessageRequestHeaderV2, SendMessageResponseHeader, sendMessageHeaderV2FromV1 } from '../../sdk/protocol/requests/send.ts';
import { ResponseCode } from '../../sdk/protocol/response-codes.ts';
import { RemotingClient } from '../../sdk/remoting/client.ts';
import { silentLogger } from '../../sdk/util/log.ts';
import { bodyIdOf, bodyIdProperty, durabilityBody, formatAck } from './compat-durability.ts';

/** Time a send may take before it counts as failed; generous, a SYNC_FLUSH send waits for fsync. */
const sendTimeoutMs = 10_000;

const { values } = parseArgs({
  options: {
    broker: { type: 'string' },
    topic: { type: 'string' },
    queues: { type: 'string' },
    round: { type: 'string' },
    window: { type: 'string', default: '16' },
    limit: { type: 'string', default: '100000' },
  },
});
if (!values.broker || !values.topic || !values.queues || !values.round) {
  process.stderr.write('usage: durability-producer.ts --broker <host:port> --topic <topic> --queues <n> --round <n> [--window <n>] [--limit <n>]\n');
  process.exit(2);
}
const broker = values.broker;
const topic = values.topic;
const queues = Number(values.queues);
const round = Number(values.round);
const window = Number(values.window);
const limit = Number(values.limit);

const client = new RemotingClient({ log: silentLogger });
let nextSequence = 0;
let inFlight = 0;
let acked = 0;
let failed = 0;
let stopping = false;

function sendNext(): void {
  const sequence = nextSequence++;
  const bodyId = bodyIdOf(round, sequence);
  const queueId = sequence % queues;
  const header = sendMessageHeaderV2FromV1({
    producerGroup: 'PG_durability',
    topic,
    defaultTopic: 'TBW102',
    defaultTopicQueueNums: queues,
    queueId,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    flag: 0,
    properties: encodeProperties({ KEYS: bodyId, WAIT: 'true', [bodyIdProperty]: bodyId }),
    reconsumeTimes: 0,
    unitMode: false,
  });
  const request = createRequest(RequestCode.SEND_MESSAGE_V2, encodeHeader(SendMessageRequestHeaderV2, header), durabilityBody(bodyId));
  inFlight++;
  client.invokeSync(broker, request, sendTimeoutMs).then(
    (response) => {
      const decoded = decodeHeader(SendMessageResponseHeader, response.extFields);
      if (response.code === ResponseCode.SUCCESS && decoded.ok) {
        acked++;
        process.stdout.write(`${formatAck({ queueId: decoded.header.queueId, queueOffset: decoded.header.queueOffset, msgId: decoded.header.msgId, bodyId })}\n`);
      } else {
        fail(bodyId, `code ${response.code} ${response.remark ?? ''}${decoded.ok ? '' : ` (header ${decoded.field}: ${decoded.reason})`}`);
      }
      settle();
    },
    (error: Error) => {
      fail(bodyId, error.message);
      settle();
    },
  );
}

function fail(bodyId: string, reason: string): void {
  failed++;
  stopping = true;
  process.stderr.write(`send ${bodyId} failed: ${reason}\n`);
}

function settle(): void {
  inFlight--;
  if (!stopping && nextSequence >= limit) stopping = true;
  if (!stopping) {
    while (inFlight < window && nextSequence < limit) sendNext();
    return;
  }
  if (inFlight === 0) {
    process.stdout.write(`done acked=${acked} failed=${failed}\n`);
    void client.close().finally(() => process.exit(0));
  }
}

while (inFlight < window && nextSequence < limit) sendNext();
