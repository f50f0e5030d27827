/**
 * The server processes: `standalone` (NameServer endpoint and broker in one
 * process, what `npm start` runs), `broker`, `control-plane` and `api`. Only
 * their flags live here; serve.ts starts the servers, loaded when one runs, so
 * client commands never load the broker.
 */
import { Command, Option } from 'commander';
import { UsageError } from '../exit-codes.ts';
import { namesrvOption, parsePort } from '../options.ts';

/** Flags of the server processes, as commander hands them over (unset flags are absent). */
export interface ServeFlags {
  dataDir?: string;
  httpPort?: number;
  namesrvPort?: number;
  brokerPort?: number;
  flushDiskType?: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  brokerRole?: 'ASYNC_MASTER' | 'SYNC_MASTER' | 'SLAVE';
  config?: string;
  host?: string;
  brokerName?: string;
  clusterName?: string;
  brokerIp?: string;
  brokerId?: string;
  namesrv?: string;
}

export const defaultPorts = { namesrv: 9876, broker: 10911, http: 8080, api: 8081 } as const;

export function processCommands(): Command[] {
  return [standaloneCommand(), brokerCommand(), controlPlaneCommand(), apiCommand()];
}

function standaloneCommand(): Command {
  const command = new Command('standalone')
    .summary('run the NameServer endpoint and a broker in one process (what `npm start` runs)')
    .description(
      'Runs the NameServer endpoint and a broker in one process; the broker registers with it. ' +
        'When ready it prints where each listens and one line `apogee standalone ready namesrv=<host:port> broker=<host:port>`. ' +
        'SIGTERM or SIGINT shuts down cleanly (the broker unregisters, flushes and closes) and exits 0.',
    );
  addStoreOptions(command, './data');
  command
    .addOption(new Option('--namesrv-port <port>', `NameServer endpoint port, 0 picks a free one (default ${defaultPorts.namesrv})`).env('APOGEE_NAMESRV_PORT').argParser(parsePort))
    .addOption(new Option('--http-port <port>', `HTTP control plane port (default ${defaultPorts.http}; the HTTP control plane is not yet available)`).env('APOGEE_HTTP_PORT').argParser(parsePort))
    .action(async (flags: ServeFlags, self: Command) => {
      const { runStandalone } = await import('./serve.ts');
      await runStandalone(flags, self);
    });
  return command;
}

function brokerCommand(): Command {
  const command = new Command('broker')
    .summary('run a broker that registers with the NameServers in --namesrv')
    .description('Runs one broker. It registers with every NameServer in --namesrv and keeps registering every 30 s; SIGTERM or SIGINT unregisters it, flushes and exits 0.');
  addStoreOptions(command, '~/.apogee/broker');
  command.addOption(namesrvOption()).action(async (flags: ServeFlags, self: Command) => {
    const { runBroker } = await import('./serve.ts');
    await runBroker(flags, self);
  });
  return command;
}

function controlPlaneCommand(): Command {
  return new Command('control-plane')
    .summary('run the NameServer endpoint (the HTTP control plane comes later)')
    .description('Runs the NameServer remoting endpoint with routes in memory. The HTTP control plane (--http-port) is not yet available.')
    .addOption(new Option('--namesrv-port <port>', `NameServer endpoint port, 0 picks a free one (default ${defaultPorts.namesrv})`).env('APOGEE_NAMESRV_PORT').argParser(parsePort))
    .addOption(new Option('--http-port <port>', `HTTP control plane port (default ${defaultPorts.http}; not yet available)`).env('APOGEE_HTTP_PORT').argParser(parsePort))
    .addOption(new Option('--host <address>', 'address to listen on').default('0.0.0.0'))
    .addOption(new Option('--data-dir <dir>', 'where to keep the route snapshot (default: in memory only)').env('APOGEE_DATA_DIR'))
    .action(async (flags: ServeFlags) => {
      const { runControlPlane } = await import('./serve.ts');
      await runControlPlane(flags);
    });
}

function apiCommand(): Command {
  return new Command('api')
    .summary('run the HTTP/JSON facade (not yet available)')
    .description(`The HTTP/JSON facade (produce, receive, ack over HTTP, default port ${defaultPorts.api}) is not yet available; this command exits with code 2.`)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new UsageError('`apogee api` is not yet available: the HTTP/JSON facade is not part of this version.');
    });
}

/** Flags the broker's store and role take, shared by `standalone` and `broker`. */
function addStoreOptions(command: Command, dataDirDefault: string): void {
  command
    .addOption(new Option('--data-dir <dir>', `where the broker keeps its CommitLog, queues and indexes (default ${dataDirDefault})`).env('APOGEE_DATA_DIR'))
    .addOption(new Option('--broker-port <port>', `broker port, 0 picks a free one (default ${defaultPorts.broker})`).env('APOGEE_BROKER_PORT').argParser(parsePort))
    .addOption(new Option('--flush-disk-type <type>', 'when a write counts as stored (default ASYNC_FLUSH)').env('APOGEE_FLUSH_DISK_TYPE').choices(['ASYNC_FLUSH', 'SYNC_FLUSH']))
    .addOption(new Option('--broker-role <role>', 'replication role (default ASYNC_MASTER)').env('APOGEE_BROKER_ROLE').choices(['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE']))
    .addOption(new Option('--config <file>', 'broker settings file (JSON, our names or broker.conf names); flags and APOGEE_* variables win over it'))
    .addOption(new Option('--broker-name <name>', 'name of the broker (default: the host name)').env('APOGEE_BROKER_NAME'))
    .addOption(new Option('--cluster-name <name>', 'cluster the broker belongs to (default DefaultCluster)').env('APOGEE_CLUSTER_NAME'))
    .addOption(new Option('--broker-ip <address>', 'address clients dial, announced to the NameServer (default: the first LAN address)').env('APOGEE_BROKER_IP'))
    .addOption(new Option('--broker-id <id>', '0 for a master, 1 and up for its slaves (default 0)').env('APOGEE_BROKER_ID'));
}
