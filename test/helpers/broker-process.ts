/**
 * A broker in its own process, for benchmarks and tests that must keep the
 * client's CPU apart from the broker's. Settings come from the environment
 * (BROKER_DATA_DIR, BROKER_FLUSH_DISK_TYPE); it prints `listening <port>`
 * once it serves, answers `rss` on stdin with `rss <bytes>`, and closes the
 * broker cleanly on SIGTERM (so a `--cpu-prof` profile gets written).
 */
import { Broker } from '../../data-plane/broker/broker.ts';
import { defaultBrokerSettings, type BrokerSettings } from '../../data-plane/broker/settings.ts';
import { createLogger } from '../../sdk/util/log.ts';

const dataDir = process.env.BROKER_DATA_DIR;
if (!dataDir) throw new Error('BROKER_DATA_DIR is required');
const settings: BrokerSettings = {
  ...defaultBrokerSettings(),
  brokerName: 'broker-bench',
  brokerIP: '127.0.0.1',
  listenPort: 0,
  haListenPort: 0,
  dataDir,
  flushDiskType: process.env.BROKER_FLUSH_DISK_TYPE === 'SYNC_FLUSH' ? 'SYNC_FLUSH' : 'ASYNC_FLUSH',
};
const broker = await Broker.start(settings, { log: createLogger('broker', 'error') });
process.stdout.write(`listening ${broker.port}\n`);
process.stdin.setEncoding('utf8').on('data', (text: string) => {
  if (text.includes('rss')) process.stdout.write(`rss ${process.memoryUsage.rss()}\n`);
});
process.on('SIGTERM', () => void broker.close().then(() => process.exit(0)));
