/**
 * `npm run bench -- codec [flags]`: the per-message encoders, in one process, no I/O.
 *
 *   record-plain   encodeMessageRecord into a plain buffer (as the SDK and tests do)
 *   record-shared  encodeMessageRecord into a SharedArrayBuffer, as the store's write buffer is
 *   seal           the body CRCs of a run of records (data-plane/store/seal.ts), per record
 *   batch-body     encodeBatchBody of 32 messages, per message
 *
 * and, once, the header of a SEND_MESSAGE_V2 request as a producer sends it (13 fields, the
 * properties among them) through the binary (ROCKETMQ) and the JSON header codecs, each way
 * (encoding in place, as frames are made; for JSON also as text first, then UTF-8, the way
 * JSON frames used to be made), alternating between two such headers that differ in their born
 * timestamp and unique key.
 *
 * Each for 0 B, 128 B and 1 KiB bodies with typical properties, encoding round-robin into a 1 MiB
 * region (the store's rewind keeps its window about that size). Reported: nanoseconds per
 * message, the best of `--rounds` (default 5) runs of `--messages` (default 40000) each.
 * Expected (sketch): a few hundred ns per record; into shared memory a long body should cost about
 * what it costs into plain memory (bodies are copied there with memcpy, not `set`).
 */
import { parseArgs } from 'node:util';
import { sealRecords } from '../../data-plane/store/seal.ts';
import { createRequest, SerializeType, type RemotingCommand } from '../../sdk/protocol/command.ts';
import { decodeBinaryHeader, encodeBinaryHeader, encodeBinaryHeaderInto, binaryHeaderBound } from '../../sdk/protocol/header-binary.ts';
import { decodeJsonHeader, encodeJsonHeader, encodeJsonHeaderInto, jsonHeaderBound, jsonHeaderText } from '../../sdk/protocol/header-json.ts';
import { encodeBatchBody, type BatchEntry } from '../../sdk/protocol/batch-body.ts';
import { encodeHostAddress } from '../../sdk/protocol/message-id.ts';
import { encodeMessageRecord, recordSize, utf8Bytes, utf8Length, type MessageRecordInput } from '../../sdk/protocol/message-record.ts';
import { crc32 } from '../../sdk/util/crc32.ts';

export const description = 'record, seal and batch-body encoding ns/message, plain against shared memory';

const PROPERTIES = 'UNIQ_KEY\u00017F000001A1B2C3D4E5F6000000000000\u0002CLUSTER\u0001DefaultCluster\u0002WAIT\u0001true\u0002';
const REGION = 1 << 20;
const BATCH = 32;

function recordInput(bodyBytes: number): MessageRecordInput {
  const host = encodeHostAddress('127.0.0.1')!;
  return {
    queueId: 1, flag: 0, queueOffset: 0, physicalOffset: 0, sysFlag: 0, bornTimestamp: Date.now(), bornHost: host, bornPort: 50000,
    storeTimestamp: Date.now(), storeHost: host, storePort: 10911, reconsumeTimes: 0, preparedTransactionOffset: 0,
    body: new Uint8Array(bodyBytes).fill(97), topic: utf8Bytes('BenchTopic'), properties: PROPERTIES, propertiesLength: utf8Length(PROPERTIES), bodyCrc: 0,
  };
}

/** Best nanoseconds per message over `rounds` runs of `perRound` messages. */
function best(rounds: number, perRound: number, runOnce: () => void, messagesPerCall = 1): number {
  let fastest = Infinity;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < perRound; i += messagesPerCall) runOnce();
    fastest = Math.min(fastest, ((performance.now() - started) * 1e6) / perRound);
  }
  return fastest;
}

function recordEncoder(target: Uint8Array, input: MessageRecordInput): () => void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  const size = recordSize(input.body.length, input.topic.length, input.propertiesLength!);
  let at = 0;
  return () => {
    if (at + size > REGION) at = 0;
    input.queueOffset++;
    at += encodeMessageRecord(target, at, input, view);
  };
}

function sealer(input: MessageRecordInput): { run: () => void; perCall: number } {
  const target = new Uint8Array(new SharedArrayBuffer(REGION + 64 * 1024));
  const view = new DataView(target.buffer);
  let end = 0;
  let records = 0;
  while (end + recordSize(input.body.length, input.topic.length, input.propertiesLength!) <= REGION) {
    end += encodeMessageRecord(target, end, input, view);
    records++;
  }
  return { run: () => sealRecords(target, view, 0, end, crc32), perCall: records };
}

function batchEncoder(bodyBytes: number): () => void {
  const entries: BatchEntry[] = Array.from({ length: BATCH }, () => ({ flag: 0, body: new Uint8Array(bodyBytes).fill(97), properties: PROPERTIES }));
  return () => {
    encodeBatchBody(entries);
  };
}

/** A SEND_MESSAGE_V2 request header as the SDK's producer fills it; `n` varies the per-message fields. */
function sendHeader(n: number, serializeType: SerializeType): RemotingCommand {
  const command = createRequest(310, {
    a: 'PG_bench', b: 'BenchTopic', c: 'TBW102', d: '4', e: String(n % 8), f: '0', g: String(1765152000000 + n), h: '0',
    i: `UNIQ_KEY\u00017F0000010D2C18B4AAC2${(0x5a0000 + n).toString(16).toUpperCase()}\u0002WAIT\u0001true\u0002`, j: '0', k: 'false', l: '0', m: 'false',
  });
  command.serializeType = serializeType;
  return command;
}

/** ns per header for decode and encode of the two codecs. */
function headerCodecs(
  rounds: number,
  count: number,
): { binaryDecode: number; binaryEncode: number; jsonDecode: number; jsonEncode: number; jsonTextEncode: number } {
  const textEncoder = new TextEncoder();
  const binary = [sendHeader(1, SerializeType.ROCKETMQ), sendHeader(2, SerializeType.ROCKETMQ)];
  const json = [sendHeader(1, SerializeType.JSON), sendHeader(2, SerializeType.JSON)];
  const binaryBytes = binary.map(encodeBinaryHeader);
  const jsonBytes = json.map(encodeJsonHeader);
  const target = new Uint8Array(Math.max(binaryHeaderBound(binary[0]!), jsonHeaderBound(json[0]!)) + 64);
  let n = 0;
  return {
    binaryDecode: best(rounds, count, () => decodeBinaryHeader(binaryBytes[n++ & 1]!)),
    binaryEncode: best(rounds, count, () => encodeBinaryHeaderInto(binary[n++ & 1]!, target, 0)),
    jsonDecode: best(rounds, count, () => decodeJsonHeader(jsonBytes[n++ & 1]!)),
    jsonEncode: best(rounds, count, () => encodeJsonHeaderInto(json[n++ & 1]!, target, 0)),
    // The JSON text first, then its UTF-8: how JSON frames were made before they were written in place.
    jsonTextEncode: best(rounds, count, () => textEncoder.encodeInto(jsonHeaderText(json[n++ & 1]!), target)),
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { rounds: { type: 'string', default: '5' }, messages: { type: 'string', default: '40000' } } });
  const rounds = Number(values.rounds);
  const messages = Number(values.messages);
  console.log(`codec benchmark: best of ${rounds} runs of ${messages} messages, ns per message, ${new Date().toISOString()}, node ${process.version}`);
  console.log(`${'body'.padEnd(8)}${'record-plain'.padStart(14)}${'record-shared'.padStart(15)}${'seal'.padStart(8)}${'batch-body'.padStart(12)}`);
  for (const bodyBytes of [0, 128, 1024]) {
    const plain = best(rounds, messages, recordEncoder(new Uint8Array(REGION), recordInput(bodyBytes)));
    // A Buffer over shared memory, as the store's write buffer is.
    const shared = best(rounds, messages, recordEncoder(Buffer.from(new SharedArrayBuffer(REGION)), recordInput(bodyBytes)));
    const seal = sealer(recordInput(bodyBytes));
    const sealed = best(rounds, messages, seal.run, seal.perCall);
    const batch = best(rounds, messages, batchEncoder(bodyBytes), BATCH);
    const cell = (ns: number, width: number) => ns.toFixed(0).padStart(width);
    console.log(`${`${bodyBytes} B`.padEnd(8)}${cell(plain, 14)}${cell(shared, 15)}${cell(sealed, 8)}${cell(batch, 12)}`);
  }
  const header = headerCodecs(rounds, messages);
  console.log(
    `SEND_MESSAGE_V2 header, ns: binary decode ${header.binaryDecode.toFixed(0)}, encode ${header.binaryEncode.toFixed(0)}; ` +
      `JSON decode ${header.jsonDecode.toFixed(0)}, encode ${header.jsonEncode.toFixed(0)} (as text, then UTF-8: ${header.jsonTextEncode.toFixed(0)})`,
  );
  return 0;
}
