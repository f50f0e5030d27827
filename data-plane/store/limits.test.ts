import { afterEach, describe, expect, it } from 'vitest';
import { MessageStore } from './message-store.ts';
import {
  messageSizeMaxBytesDefault, propertiesSizeMaxBytesDefault, topicLengthMaxDefault, systemTopicLengthMaxDefault, writeBufferBytesMax,
} from './settings.ts';
import { PutMessageStatus, PutRefusalReason } from './status.ts';
import { message, storeHost, temporaryDirectory } from './test-support.ts';

// Every limit is checked at its edge (accepted) and one past it (refused with its status and reason).
let store: MessageStore;
afterEach(async () => {
  await store.close();
});

async function openStore(): Promise<MessageStore> {
  store = await MessageStore.open({ dataDir: temporaryDirectory(), flushDiskType: 'ASYNC_FLUSH', storeHost, commitLogSegmentBytes: 8 * 1024 * 1024 });
  return store;
}

describe('store limits', () => {
  it('accepts a body of messageSizeMaxBytes and refuses one byte more', async () => {
    await openStore();
    expect((await store.putMessage(message('T', 0, new Uint8Array(messageSizeMaxBytesDefault)))).status).toBe(PutMessageStatus.PUT_OK);
    const past = await store.putMessage(message('T', 0, new Uint8Array(messageSizeMaxBytesDefault + 1)));
    expect(past).toMatchObject({ status: PutMessageStatus.MESSAGE_ILLEGAL, reason: PutRefusalReason.BODY_TOO_LARGE });
  });

  it('accepts a topic of topicLengthMax characters and refuses one more; retry topics get systemTopicLengthMax', async () => {
    await openStore();
    expect((await store.putMessage(message('t'.repeat(topicLengthMaxDefault), 0, 'x'))).status).toBe(PutMessageStatus.PUT_OK);
    const past = await store.putMessage(message('t'.repeat(topicLengthMaxDefault + 1), 0, 'x'));
    expect(past).toMatchObject({ status: PutMessageStatus.MESSAGE_ILLEGAL, reason: PutRefusalReason.TOPIC_TOO_LONG });
    const retry = '%RETRY%' + 'g'.repeat(systemTopicLengthMaxDefault - 7);
    const stored = await store.putMessage(message(retry, 0, 'x'));
    expect(stored.status).toBe(PutMessageStatus.PUT_OK);
    expect(store.lookMessageByOffset(stored.physicalOffset)!.record.topic).toBe(retry);
    expect((await store.putMessage(message(retry + 'g', 0, 'x'))).status).toBe(PutMessageStatus.MESSAGE_ILLEGAL);
  });

  it('accepts properties of propertiesSizeMaxBytes and refuses one byte more', async () => {
    await openStore();
    const edge = 'K\u0001' + 'v'.repeat(propertiesSizeMaxBytesDefault - 3) + '\u0002';
    expect(edge.length).toBe(propertiesSizeMaxBytesDefault);
    const stored = await store.putMessage(message('T', 0, 'x', edge));
    expect(stored.status).toBe(PutMessageStatus.PUT_OK);
    expect(store.lookMessageByOffset(stored.physicalOffset)!.record.properties).toBe(edge);
    const past = await store.putMessage(message('T', 0, 'x', edge + 'v'));
    expect(past).toMatchObject({ status: PutMessageStatus.PROPERTIES_SIZE_EXCEEDED, reason: PutRefusalReason.PROPERTIES_TOO_LARGE });
  });

  it('refuses empty and path-like topics and bad queue ids', async () => {
    await openStore();
    expect((await store.putMessage(message('', 0, 'x'))).reason).toBe(PutRefusalReason.TOPIC_EMPTY);
    expect((await store.putMessage(message('a/b', 0, 'x'))).reason).toBe(PutRefusalReason.TOPIC_INVALID);
    expect((await store.putMessage(message('..', 0, 'x'))).reason).toBe(PutRefusalReason.TOPIC_INVALID);
    expect((await store.putMessage(message('T', -1, 'x'))).reason).toBe(PutRefusalReason.QUEUE_ID_INVALID);
    expect((await store.putMessage(message('T', 1.5, 'x'))).reason).toBe(PutRefusalReason.QUEUE_ID_INVALID);
  });

  it('refuses a record that cannot fit in one segment, at the exact edge', async () => {
    store = await MessageStore.open({ dataDir: temporaryDirectory(), flushDiskType: 'ASYNC_FLUSH', storeHost, commitLogSegmentBytes: 4096 });
    // A record of 4088 bytes plus the 8-byte blank marker fills a 4096-byte segment exactly.
    const overhead = 91 + 1 + 0; // fixed fields + topic "T" + no properties
    const fits = await store.putMessage(message('T', 0, new Uint8Array(4088 - overhead)));
    expect(fits).toMatchObject({ status: PutMessageStatus.PUT_OK, wroteBytes: 4088 });
    const past = await store.putMessage(message('T', 0, new Uint8Array(4089 - overhead)));
    expect(past).toMatchObject({ status: PutMessageStatus.MESSAGE_ILLEGAL, reason: PutRefusalReason.RECORD_TOO_LARGE });
  });

  it('accepts a batch whose records fill the write buffer and refuses one byte more', async () => {
    store = await MessageStore.open({ dataDir: temporaryDirectory(), flushDiskType: 'ASYNC_FLUSH', storeHost });
    // Records can outgrow the batch body: every message of a batch carries the batch's own properties.
    const properties = `${'P\u0001'}${'p'.repeat(30_000)}\u0002`;
    const recordBytes = 91 + 1 + properties.length + 1; // fixed fields + topic "T" + properties + 1-byte body
    const count = Math.floor(writeBufferBytesMax / recordBytes);
    const lastBody = writeBufferBytesMax - count * recordBytes + 1;
    const batch = (extra: number) =>
      Array.from({ length: count }, (_, i) => message('T', 0, new Uint8Array(i === count - 1 ? lastBody + extra : 1), properties));
    const fits = await store.putMessages(batch(0));
    expect(fits).toMatchObject({ status: PutMessageStatus.PUT_OK, wroteBytes: writeBufferBytesMax, messageCount: count });
    const past = await store.putMessages(batch(1));
    expect(past).toMatchObject({ status: PutMessageStatus.MESSAGE_ILLEGAL, reason: PutRefusalReason.BATCH_TOO_LARGE });
    // Nothing of the refused batch was kept, and the store goes on.
    const after = await store.putMessage(message('T', 0, 'after'));
    expect(after).toMatchObject({ status: PutMessageStatus.PUT_OK, queueOffset: count, physicalOffset: writeBufferBytesMax });
  });

  it('refuses puts once closed', async () => {
    await openStore();
    await store.close();
    expect((await store.putMessage(message('T', 0, 'x'))).status).toBe(PutMessageStatus.SERVICE_NOT_AVAILABLE);
  });
});
