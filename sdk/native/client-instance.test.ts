import { afterEach, describe, expect, it } from 'vitest';
import { createRequest, createResponse, SerializeType } from '../protocol/command.ts';
import { RemotingServer } from '../remoting/server.ts';
import { silentLogger } from '../util/log.ts';
import { ClientInstance } from './client-instance.ts';

const PROBE = 9001;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A server that answers PROBE with the serialization the request arrived in, as its remark. */
async function probeServer(): Promise<string> {
  const server = new RemotingServer({ port: 0, host: '127.0.0.1', log: silentLogger });
  server.registerProcessor(PROBE, (request) => createResponse(request, 0, String(request.serializeType), { echoed: request.extFields?.value ?? '' }));
  const port = await server.listen();
  closers.push(() => server.close());
  return `127.0.0.1:${port}`;
}

describe('ClientInstance header serialization', () => {
  it('sends the compact ROCKETMQ header by default and JSON when asked, and reads the answer in either', async () => {
    const address = await probeServer();
    for (const [option, expected] of [[undefined, SerializeType.ROCKETMQ], ['JSON', SerializeType.JSON], ['ROCKETMQ', SerializeType.ROCKETMQ]] as const) {
      const client = new ClientInstance({ namesrvAddr: '127.0.0.1:1', serializeType: option, log: silentLogger });
      closers.push(() => client.close());
      const response = await client.invoke(address, createRequest(PROBE, { value: 'héllo, ✓' }), 3000);
      expect(response.remark, `serializeType option ${option ?? '(default)'}`).toBe(String(expected));
      expect(response.serializeType).toBe(expected);
      expect(response.extFields?.echoed).toBe('héllo, ✓');
    }
  });
});
