/**
 * Child process of the store crash test. It opens the store in the given
 * directory with SYNC_FLUSH (recovering whatever the last run left), then
 * appends forever: single messages and small batches, several in flight,
 * across three queues. Each message's body is a pure function of its queue
 * and queue offset, so the parent can check any of them byte for byte. Every
 * acknowledged put is reported on stdout as `ACK <queueId> <queueOffset>
 * <physicalOffset> <size>`; the parent kills this process with SIGKILL.
 */
import { MessageStore } from '../../data-plane/store/message-store.ts';
import { PutMessageStatus } from '../../data-plane/store/status.ts';
import { crashTestBody, crashTestMessage, CRASH_TEST_QUEUES, crashTestStoreOptions } from '../../data-plane/store/test-support.ts';

const dataDir = process.argv[2]!;
const writerThread = process.argv[3] === 'always' ? 'always' : 'never';
const store = await MessageStore.open({ ...crashTestStoreOptions(dataDir), commitLogWriterThread: writerThread });
const next = Array.from({ length: CRASH_TEST_QUEUES }, (_, queueId) => store.getMaxOffsetInQueue('CRASH', queueId));
process.stdout.write('READY\n');

let failed = false;
function fail(reason: string): void {
  failed = true;
  process.stdout.write(`FAIL ${reason}\n`);
  process.exit(1);
}

async function single(queueId: number): Promise<void> {
  const queueOffset = next[queueId]!++;
  const result = await store.putMessage(crashTestMessage(queueId, crashTestBody(queueId, queueOffset)));
  if (result.status !== PutMessageStatus.PUT_OK || result.queueOffset !== queueOffset) fail(`put ${queueId}/${queueOffset}: ${JSON.stringify(result)}`);
  process.stdout.write(`ACK ${queueId} ${queueOffset} ${result.physicalOffset} ${result.wroteBytes}\n`);
}

async function batch(queueId: number, count: number): Promise<void> {
  const first = next[queueId]!;
  next[queueId] = first + count;
  const messages = Array.from({ length: count }, (_, i) => crashTestMessage(queueId, crashTestBody(queueId, first + i)));
  const result = await store.putMessages(messages);
  if (result.status !== PutMessageStatus.PUT_OK || result.queueOffset !== first) fail(`batch ${queueId}/${first}: ${JSON.stringify(result)}`);
  // Sizes inside a batch follow from the bodies; the parent recomputes them, so report the batch as a whole.
  process.stdout.write(`BATCH ${queueId} ${first} ${count} ${result.physicalOffset} ${result.wroteBytes}\n`);
}

let turn = 0;
async function worker(): Promise<void> {
  while (!failed) {
    const queueId = turn % CRASH_TEST_QUEUES;
    turn++;
    if (turn % 7 === 0) await batch(queueId, 1 + (turn % 4));
    else await single(queueId);
  }
}

await Promise.all(Array.from({ length: 8 }, worker));
