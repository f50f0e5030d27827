/**
 * Fuzzing the remoting server. How it works: a server runs in its own process
 * (test/helpers/echo-server.ts); fast-check generates random byte strings and
 * mutations of valid frames (bit flips, truncations, rewritten length and
 * header words, spliced garbage) and each case goes over a fresh connection.
 * A well-behaved client on its own connection sends an echo request after
 * every case and must get its answer. At the end the server process must
 * still be alive, and every malformed connection must have been closed.
 *
 * Targeted cases check that the server itself closes a connection that sent a
 * frame it cannot accept (without waiting for the client to hang up), and
 * names the fault.
 */
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequest, SerializeType } from '../sdk/protocol/command.ts';
import { encodeFrame } from '../sdk/protocol/frame.ts';
import { RemotingClient } from '../sdk/remoting/client.ts';
import { silentLogger } from '../sdk/util/log.ts';
import { spawnTs, type Child } from './helpers/child.ts';

const ECHO_CODE = 1001;
let server: Child;
let address: string;
let client: RemotingClient;

beforeAll(async () => {
  server = spawnTs('test/helpers/echo-server.ts', [], { FRAME_SIZE_MAX_BYTES: String(1024 * 1024) });
  const [, port] = await server.waitForLine(/^listening (\d+)$/);
  address = `127.0.0.1:${port}`;
  client = new RemotingClient({ log: silentLogger });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

function openSocket(): Promise<Socket> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes bytes, hangs up, and resolves once the connection is fully closed. */
async function throwBytes(bytes: Uint8Array): Promise<void> {
  const socket = await openSocket();
  socket.on('error', () => {});
  socket.on('data', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.end(bytes);
  await closed;
}

async function echoStillAnswers(n: number): Promise<void> {
  const response = await client.invokeSync(address, createRequest(ECHO_CODE, { n: String(n) }), 5000);
  expect(response.extFields).toEqual({ n: String(n) });
}

const validFrames = [
  encodeFrame(createRequest(ECHO_CODE, { topic: 'TopicTest', queueId: '1' }, new TextEncoder().encode('body'))),
  encodeFrame(createRequest(10, { a: 'group', b: 'TopicTest' }, new Uint8Array(64), SerializeType.ROCKETMQ)),
  encodeFrame(createRequest(34, undefined, new TextEncoder().encode('{"clientID":"c"}'))),
];

const mutatedFrame = fc
  .record({
    frame: fc.constantFrom(...validFrames),
    flips: fc.array(fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), { maxLength: 8 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    word: fc.option(fc.tuple(fc.constantFrom(0, 4), fc.integer()), { nil: undefined }),
    tail: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ frame, flips, cut, word, tail }) => {
    let bytes = Uint8Array.from(frame);
    for (const { at, bit } of flips) bytes[at % bytes.length]! ^= 1 << bit;
    if (word) new DataView(bytes.buffer).setInt32(word[0], word[1]);
    if (cut !== undefined) bytes = bytes.subarray(0, cut % bytes.length);
    const joined = new Uint8Array(bytes.length + tail.length);
    joined.set(bytes);
    joined.set(tail, bytes.length);
    return joined;
  });

describe('remoting server under fuzzed input', () => {
  it('survives random and mutated frames while a good client keeps getting answers', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 256 }), mutatedFrame), async (bytes) => {
        await throwBytes(bytes);
        await echoStillAnswers(round++);
      }),
      { numRuns: 300 },
    );
    expect(server.process.exitCode).toBeNull();
    expect(server.process.signalCode).toBeNull();
  });

  const malformed: Array<[string, Uint8Array]> = [
    ['FRAME_TOO_LARGE', Uint8Array.from([0x00, 0x10, 0x00, 0x00, 0, 0, 0, 0])],
    ['FRAME_TOO_SMALL', Uint8Array.from([0, 0, 0, 1, 0])],
    ['SERIALIZE_TYPE_UNKNOWN', Uint8Array.from([0, 0, 0, 6, 9, 0, 0, 2, 0x7b, 0x7d])],
    ['HEADER_JSON_INVALID', Uint8Array.from([0, 0, 0, 6, 0, 0, 0, 2, 0x7b, 0x22])],
    ['HEADER_LENGTH_INVALID', Uint8Array.from([0, 0, 0, 6, 0, 0, 1, 0, 0x7b, 0x7d])],
  ];
  for (const [fault, bytes] of malformed) {
    it(`closes a connection that sends a ${fault} frame, without waiting for the peer`, async () => {
      const mark = server.lines.length;
      const socket = await openSocket();
      socket.on('error', () => {});
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write(bytes);
      await closed;
      await server.waitForLine(new RegExp(`^closed malformed frame: ${fault}$`), 5000, mark);
      await echoStillAnswers(-1);
    });
  }
});
