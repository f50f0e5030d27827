/**
 * Starts the server processes for `apogee standalone|broker|control-plane`.
 * This is the one file under sdk/ that reaches into data-plane/ and
 * control-plane/, and only through dynamic imports, so the SDK and the other
 * commands never load them.
 *
 * Each process prints where it listens, a machine-readable ready line for
 * `standalone`, then waits for SIGTERM or SIGINT and shuts down in the reverse
 * order of starting: the broker unregisters, flushes and closes before the
 * NameServer endpoint it registered with goes away.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../../util/log.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { printLine, printNotice } from '../output.ts';
import { onShutdownSignal } from '../signals.ts';
import { defaultPorts, type ServeFlags } from './processes.ts';

/** Where standalone keeps its data when neither --data-dir, APOGEE_DATA_DIR nor the config file says. */
export const standaloneDataDir = './data';

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

export async function runStandalone(flags: ServeFlags, command: Command): Promise<void> {
  const shutdown = onShutdownSignal();
  const running: Stoppable[] = [];
  try {
    const nameServer = await startNameServer(flags.namesrvPort ?? defaultPorts.namesrv, undefined);
    running.push(nameServer);
    const namesrvAddress = `127.0.0.1:${nameServer.port}`;
    printLine(`NameServer endpoint listening on port ${nameServer.port}`);
    const broker = await startBroker({ ...flags, namesrv: namesrvAddress }, command, standaloneDataDir);
    running.push(broker);
    printLine(`Broker ${broker.brokerName} listening on port ${broker.port} (data ${broker.dataDir}, ${broker.flushDiskType}, ${broker.brokerRole}), registered with ${namesrvAddress}`);
    printLine(`HTTP control plane: not yet available (port ${flags.httpPort ?? defaultPorts.http} left unbound)`);
    printLine(`apogee standalone ready namesrv=${namesrvAddress} broker=${broker.address}`);
    await waitAndStop(shutdown, running);
  } catch (error) {
    await stopAll(running);
    throw startFailure(error);
  } finally {
    shutdown.dispose();
  }
}

export async function runBroker(flags: ServeFlags, command: Command): Promise<void> {
  const shutdown = onShutdownSignal();
  const running: Stoppable[] = [];
  try {
    // The --namesrv default applies only when neither the flag, its variable nor the config file names one.
    const namesrvFromUser = command.getOptionValueSource('namesrv') !== 'default';
    const broker = await startBroker({ ...flags, namesrv: namesrvFromUser ? flags.namesrv : undefined }, command, undefined, namesrvFromUser ? undefined : flags.namesrv);
    running.push(broker);
    printLine(`Broker ${broker.brokerName} listening on port ${broker.port} (data ${broker.dataDir}, ${broker.flushDiskType}, ${broker.brokerRole})`);
    printLine(`apogee broker ready broker=${broker.address} namesrv=${broker.namesrv}`);
    await waitAndStop(shutdown, running);
  } catch (error) {
    await stopAll(running);
    throw startFailure(error);
  } finally {
    shutdown.dispose();
  }
}

export async function runControlPlane(flags: ServeFlags): Promise<void> {
  const shutdown = onShutdownSignal();
  const running: Stoppable[] = [];
  try {
    const nameServer = await startNameServer(flags.namesrvPort ?? defaultPorts.namesrv, flags.dataDir, flags.host);
    running.push(nameServer);
    printLine(`NameServer endpoint listening on ${flags.host ?? '0.0.0.0'}:${nameServer.port}${flags.dataDir ? ` (routes kept in ${flags.dataDir})` : ''}`);
    printLine(`HTTP control plane: not yet available (port ${flags.httpPort ?? defaultPorts.http} left unbound)`);
    printLine(`apogee control-plane ready namesrv=127.0.0.1:${nameServer.port}`);
    await waitAndStop(shutdown, running);
  } catch (error) {
    await stopAll(running);
    throw startFailure(error);
  } finally {
    shutdown.dispose();
  }
}

async function waitAndStop(shutdown: ReturnType<typeof onShutdownSignal>, running: Stoppable[]): Promise<void> {
  const signal = await shutdown.received;
  printNotice(`${signal} received, shutting down`);
  await stopAll(running);
  printNotice('stopped');
}

/** Stops in reverse order of starting; one part failing to stop does not keep the others running. */
async function stopAll(running: Stoppable[]): Promise<void> {
  for (const part of running.reverse()) {
    try {
      await part.stop();
    } catch (error) {
      printNotice(`apogee: stopping the ${part.name} failed: ${(error as Error).message}`);
    }
  }
  running.length = 0;
}

async function startNameServer(port: number, dataDir: string | undefined, host?: string): Promise<Stoppable & { port: number }> {
  const { NameServer } = await import('../../../control-plane/namesrv/name-server.ts');
  const log = createLogger('namesrv');
  let state: { close(): Promise<void> } | undefined;
  let routeState: import('../../../control-plane/routing/route-state.ts').RouteState | undefined;
  if (dataDir !== undefined) {
    const { MemoryRouteState } = await import('../../../control-plane/state/memory.ts');
    const { routeSnapshotFileName } = await import('../../../control-plane/settings.ts');
    await mkdir(dataDir, { recursive: true });
    const opened = await MemoryRouteState.open({ snapshotPath: resolve(dataDir, routeSnapshotFileName), log });
    state = opened;
    routeState = opened;
  }
  const nameServer = await NameServer.start({ port, host, log, ...(routeState ? { state: routeState } : {}) });
  return {
    name: 'NameServer endpoint',
    port: nameServer.port,
    async stop() {
      await nameServer.close();
      await state?.close();
    },
  };
}

interface StartedBroker extends Stoppable {
  port: number;
  address: string;
  brokerName: string;
  dataDir: string;
  flushDiskType: string;
  brokerRole: string;
  /** The NameServers it registers with, `;`-separated. */
  namesrv: string;
}

/**
 * Resolves the broker's settings (flags > APOGEE_* variables > --config file >
 * defaults) and starts it. Commander has already folded each variable into its
 * flag, so the flags passed on are the user's explicit choices.
 */
async function startBroker(flags: ServeFlags, command: Command, fallbackDataDir: string | undefined, fallbackNamesrv?: string): Promise<StartedBroker> {
  const { resolveBrokerSettings, defaultBrokerSettings } = await import('../../../data-plane/broker/settings.ts');
  const { Broker } = await import('../../../data-plane/broker/broker.ts');
  const settings = await resolveBrokerSettings({
    flags: {
      'data-dir': flags.dataDir,
      'broker-port': flags.brokerPort,
      namesrv: flags.namesrv,
      'flush-disk-type': flags.flushDiskType,
      'broker-role': flags.brokerRole,
      'broker-name': flags.brokerName,
      'cluster-name': flags.clusterName,
      'broker-ip': flags.brokerIp,
      'broker-id': flags.brokerId,
      config: flags.config,
    },
    env: process.env,
  });
  if (fallbackDataDir !== undefined && command.getOptionValueSource('dataDir') === undefined && settings.dataDir === defaultBrokerSettings().dataDir) {
    settings.dataDir = fallbackDataDir;
  }
  if (fallbackNamesrv !== undefined && settings.namesrvAddr.length === 0) settings.namesrvAddr = fallbackNamesrv.split(';');
  settings.dataDir = resolve(settings.dataDir);
  await mkdir(settings.dataDir, { recursive: true });
  const broker = await Broker.start(settings, { log: createLogger('broker') });
  const port = broker.port;
  return {
    name: 'broker',
    port,
    address: `${settings.brokerIP}:${port}`,
    brokerName: settings.brokerName,
    dataDir: settings.dataDir,
    flushDiskType: settings.flushDiskType,
    brokerRole: settings.brokerRole,
    namesrv: settings.namesrvAddr.join(';'),
    stop: () => broker.shutdown(),
  };
}

/** Startup failures the user can fix get one clear line; the rest keep their own message. */
function startFailure(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    const port = (error as { port?: unknown }).port;
    return new CliError(`cannot listen${port === undefined ? '' : ` on port ${String(port)}`}: the address is in use (choose another port, or 0 for a free one)`, ExitCode.failed, { cause: error });
  }
  if (code === 'EACCES') return new CliError(`permission denied: ${(error as Error).message}`, ExitCode.failed, { cause: error });
  if (error instanceof Error && error.name === 'BrokerSettingsError') return new CliError(error.message, ExitCode.usage, { cause: error });
  return error;
}
