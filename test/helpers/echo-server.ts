/**
 * A remoting server in its own process, for tests and benchmarks that must
 * show the process survives what is thrown at it. It answers code 1001 with an
 * echo of the request's extFields and body, and prints `listening <port>` once
 * ready. Every closed connection is reported on stdout as `closed <reason>`.
 */
import { createResponse } from '../../sdk/protocol/command.ts';
import { RemotingServer } from '../../sdk/remoting/server.ts';
import { createLogger } from '../../sdk/util/log.ts';

export const ECHO_CODE = 1001;

const server = new RemotingServer({
  port: 0,
  host: '127.0.0.1',
  log: createLogger('echo-server', 'error'),
  limits: { frameSizeMaxBytes: Number(process.env.FRAME_SIZE_MAX_BYTES ?? 16 * 1024 * 1024) },
  listener: { onClose: (_connection, reason) => process.stdout.write(`closed ${reason}\n`) },
});
server.registerProcessor(ECHO_CODE, (request) => createResponse(request, 0, undefined, request.extFields, request.body));
const port = await server.listen();
process.stdout.write(`listening ${port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
