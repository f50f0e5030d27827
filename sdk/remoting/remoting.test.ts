/**
 * The server and client over real loopback sockets: dispatch by code, the
 * default processor, hooks, oneway, late answers, timeouts, reconnects,
 * requests from server to client, and a bad frame that closes only its own
 * connection.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequest, createResponse, SerializeType } from '../protocol/command.ts';
import { RemotingError } from '../protocol/errors.ts';
import { encodeFrame } from '../protocol/frame.ts';
import { silentLogger } from '../util/log.ts';
import { RemotingClient } from './client.ts';
import type { Connection } from './connection.ts';
import { RemotingServer, type ConnectionListener } from './server.ts';

const ECHO = 1001;
const SLOW = 1002;
const THROWS = 1003;
const NOTIFY = 1004;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function startServer(configure?: (server: RemotingServer) => void, listener?: ConnectionListener) {
  const server = new RemotingServer({ port: 0, host: '127.0.0.1', log: silentLogger, listener });
  server.registerProcessor(ECHO, (request) => createResponse(request, 0, undefined, request.extFields, request.body));
  server.registerProcessor(SLOW, async (request) => {
    await new Promise((resolve) => setTimeout(resolve, Number(request.extFields?.delayMs ?? 0)));
    return createResponse(request, 0, 'late');
  });
  server.registerProcessor(THROWS, () => {
    throw new Error('boom');
  });
  configure?.(server);
  const port = await server.listen();
  const client = new RemotingClient({ log: silentLogger });
  closers.push(async () => {
    await client.close();
    await server.close();
  });
  return { server, client, address: `127.0.0.1:${port}` };
}

function rawSocket(address: string): Promise<Socket> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('RemotingServer', () => {
  it('dispatches by code and answers in the serialization of the request', async () => {
    const { client, address } = await startServer();
    for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
      const body = new TextEncoder().encode('hello');
      const response = await client.invokeSync(address, createRequest(ECHO, { topic: 'T' }, body, serializeType), 3000);
      expect(response.code).toBe(0);
      expect(response.serializeType).toBe(serializeType);
      expect(response.extFields).toEqual({ topic: 'T' });
      expect(new TextDecoder().decode(response.body)).toBe('hello');
    }
  });

  it('answers an unknown code REQUEST_CODE_NOT_SUPPORTED naming the code', async () => {
    const { client, address } = await startServer();
    const response = await client.invokeSync(address, createRequest(4242), 3000);
    expect(response.code).toBe(3);
    expect(response.remark).toContain('4242');
  });

  it('falls back to the default processor when one is registered', async () => {
    const { client, address } = await startServer((server) =>
      server.registerDefaultProcessor((request) => createResponse(request, 0, `default ${request.code}`)),
    );
    expect((await client.invokeSync(address, createRequest(4242), 3000)).remark).toBe('default 4242');
  });

  it('answers SYSTEM_ERROR when a processor throws, and keeps serving', async () => {
    const { client, address } = await startServer();
    const failed = await client.invokeSync(address, createRequest(THROWS), 3000);
    expect(failed.code).toBe(1);
    expect(failed.remark).toContain('boom');
    expect((await client.invokeSync(address, createRequest(ECHO), 3000)).code).toBe(0);
  });

  it('matches late answers by opaque while later requests are answered first', async () => {
    const { client, address } = await startServer();
    const slow = client.invokeSync(address, createRequest(SLOW, { delayMs: '200' }), 3000);
    const fast = await client.invokeSync(address, createRequest(ECHO, { n: '1' }), 3000);
    expect(fast.extFields).toEqual({ n: '1' });
    expect((await slow).remark).toBe('late');
  });

  it('runs hooks before and after, and a hook can refuse a request', async () => {
    const seen: string[] = [];
    const { client, address } = await startServer((server) =>
      server.addHook({
        before: (request) => {
          seen.push(`before ${request.code}`);
          return request.extFields?.deny ? createResponse(request, 16, 'denied') : undefined;
        },
        after: (request, response) => seen.push(`after ${request.code} ${response?.code}`),
      }),
    );
    expect((await client.invokeSync(address, createRequest(ECHO, { deny: '1' }), 3000)).code).toBe(16);
    expect((await client.invokeSync(address, createRequest(ECHO), 3000)).code).toBe(0);
    expect(seen).toEqual([`before ${ECHO}`, `after ${ECHO} 16`, `before ${ECHO}`, `after ${ECHO} 0`]);
  });

  it('never answers a oneway request', async () => {
    let handled = 0;
    const { client, address } = await startServer((server) =>
      server.registerProcessor(77, (request) => {
        handled++;
        return createResponse(request, 0);
      }),
    );
    await client.invokeOneway(address, createRequest(77), 3000);
    // The echo is answered after the oneway on the same ordered stream.
    await client.invokeSync(address, createRequest(ECHO), 3000);
    expect(handled).toBe(1);
    const connection = await client.connection(address);
    expect(connection.inFlight).toBe(0);
  });

  it('closes only the connection that sent a malformed frame', async () => {
    const closed: string[] = [];
    const { client, address } = await startServer(undefined, { onClose: (_connection, reason) => closed.push(reason) });
    await client.invokeSync(address, createRequest(ECHO), 3000);
    const bad = await rawSocket(address);
    const ended = new Promise((resolve) => bad.once('close', resolve));
    bad.write(Uint8Array.from([0, 0, 0, 6, 0, 0, 0, 2, 0x7b, 0x7b]));
    await ended;
    expect(closed).toEqual(['malformed frame: HEADER_JSON_INVALID']);
    expect((await client.invokeSync(address, createRequest(ECHO), 3000)).code).toBe(0);
  });
});

describe('RemotingClient', () => {
  it('times out a request that is never answered, with a retriable TIMEOUT error', async () => {
    const { client, address } = await startServer((server) => server.registerProcessor(88, () => undefined));
    const error = await client.invokeSync(address, createRequest(88), 150).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RemotingError);
    expect((error as RemotingError).code).toBe('TIMEOUT');
    expect((error as RemotingError).retriable).toBe(true);
  });

  it('fails fast with CONNECT_FAILED for an address nobody listens on', async () => {
    const client = new RemotingClient({ log: silentLogger });
    closers.push(() => client.close());
    const error = await client.invokeSync('127.0.0.1:1', createRequest(ECHO), 1000).catch((caught: unknown) => caught);
    expect((error as RemotingError).code).toBe('CONNECT_FAILED');
  });

  it('reconnects after the server drops the connection', async () => {
    const { server, client, address } = await startServer();
    const first = await client.connection(address);
    await client.invokeSync(address, createRequest(ECHO), 3000);
    const gone = new Promise<void>((resolve) => first.socket.once('close', () => resolve()));
    for (const connection of server.connections) connection.close('test');
    await gone;
    expect((await client.invokeSync(address, createRequest(ECHO), 3000)).code).toBe(0);
    expect(await client.connection(address)).not.toBe(first);
  });

  it('rejects pending requests when the connection closes', async () => {
    const { server, client, address } = await startServer((s) => s.registerProcessor(88, () => undefined));
    const pending = client.invokeSync(address, createRequest(88), 10_000);
    await client.connection(address);
    while (server.connections.size === 0) await new Promise((resolve) => setImmediate(resolve));
    for (const connection of server.connections) connection.close('test');
    const error = await pending.catch((caught: unknown) => caught);
    expect((error as RemotingError).code).toBe('CONNECTION_CLOSED');
  });

  it('serves requests the server sends on the client connection', async () => {
    let serverSide: Connection | undefined;
    const { client, address } = await startServer((server) =>
      server.registerProcessor(ECHO, (request, connection) => {
        serverSide = connection;
        return createResponse(request, 0);
      }),
    );
    client.registerProcessor(NOTIFY, (request) => createResponse(request, 0, `client saw ${request.extFields?.group}`));
    await client.invokeSync(address, createRequest(ECHO), 3000);
    const answer = await serverSide!.invoke(createRequest(NOTIFY, { group: 'g1' }), 3000);
    expect(answer.remark).toBe('client saw g1');
  });

  it('bounds requests in flight: extra callers wait for a slot instead of queueing on the socket', async () => {
    const release: Array<() => void> = [];
    const server = new RemotingServer({ port: 0, host: '127.0.0.1', log: silentLogger });
    server.registerProcessor(90, (request) => new Promise((resolve) => release.push(() => resolve(createResponse(request, 0)))));
    const port = await server.listen();
    const client = new RemotingClient({ log: silentLogger, maxInFlightPerConnection: 2 });
    closers.push(async () => {
      await client.close();
      await server.close();
    });
    const address = `127.0.0.1:${port}`;
    const calls = [1, 2, 3].map(() => client.invokeSync(address, createRequest(90), 5000));
    while (release.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const connection = await client.connection(address);
    expect(connection.inFlight).toBe(2);
    expect(release.length).toBe(2);
    release.shift()!();
    while (release.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    release.splice(0).forEach((wake) => wake());
    expect((await Promise.all(calls)).map((response) => response.code)).toEqual([0, 0, 0]);
  });
});

// Keep the raw frame helper honest: the same bytes the client writes decode on the server.
it('encodeFrame output is accepted by a live server from a raw socket', async () => {
  const { address } = await startServer();
  const socket = await rawSocket(address);
  const reply = new Promise<Uint8Array>((resolve) => socket.once('data', (chunk) => resolve(chunk)));
  socket.write(encodeFrame(createRequest(ECHO, { k: 'v' })));
  const bytes = await reply;
  expect(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0)).toBe(bytes.length - 4);
  socket.destroy();
});
