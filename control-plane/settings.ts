/**
 * Settings of the control plane's NameServer endpoint and routing, each with
 * its unit, default and reason. A flag wins over its environment variable,
 * which wins over the default: `--namesrv-port` / `APOGEE_NAMESRV_PORT`,
 * `--data-dir` / `APOGEE_DATA_DIR`.
 */
import { join } from 'node:path';

/** RocketMQ's name server port; every client and broker defaults to it. */
export const defaultNamesrvPort = 9876;

/** A broker silent this long is forgotten (RocketMQ: 120 s, four missed 30 s registrations). */
export const defaultBrokerExpiryMs = 120_000;

/** How often silent brokers are looked for (RocketMQ 4.9: 10 s), bounding how late an expiry is noticed. */
export const defaultBrokerScanIntervalMs = 10_000;

/**
 * Largest inflated compressed RegisterBrokerBody. A broker with 50,000 topics
 * sends about 3 MiB; the bound keeps a hostile zlib stream from filling memory.
 */
export const defaultRegisterBodyInflatedMaxBytes = 32 * 1024 * 1024;

/** File name of the route snapshot inside the data directory. */
export const routeSnapshotFileName = 'namesrv-routes.json';

export interface ControlPlaneSettings {
  namesrvHost: string;
  namesrvPort: number;
  brokerExpiryMs: number;
  brokerScanIntervalMs: number;
  registerBodyInflatedMaxBytes: number;
  /** Where the standalone keeps its state; none keeps it in memory only. */
  dataDir?: string;
  /** The route snapshot file, inside dataDir when one is set. */
  snapshotPath?: string;
}

export type SettingsResult = { ok: true; settings: ControlPlaneSettings } | { ok: false; reason: string };

/**
 * Resolves settings from command-line arguments and the environment.
 *
 * @example resolveSettings(['--namesrv-port', '19876'], process.env)
 */
export function resolveSettings(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): SettingsResult {
  const flags = parseFlags(argv);
  const port = parsePort(flags.get('namesrv-port') ?? env.APOGEE_NAMESRV_PORT, defaultNamesrvPort);
  if (port === undefined) return { ok: false, reason: `--namesrv-port / APOGEE_NAMESRV_PORT must be a port number 0-65535` };
  const dataDir = flags.get('data-dir') ?? env.APOGEE_DATA_DIR;
  return {
    ok: true,
    settings: {
      namesrvHost: flags.get('namesrv-host') ?? env.APOGEE_NAMESRV_HOST ?? '0.0.0.0',
      namesrvPort: port,
      brokerExpiryMs: defaultBrokerExpiryMs,
      brokerScanIntervalMs: defaultBrokerScanIntervalMs,
      registerBodyInflatedMaxBytes: defaultRegisterBodyInflatedMaxBytes,
      ...(dataDir ? { dataDir, snapshotPath: join(dataDir, routeSnapshotFileName) } : {}),
    },
  };
}

/** `--name value` and `--name=value`; other arguments are someone else's. */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (!argument.startsWith('--')) continue;
    const equals = argument.indexOf('=');
    if (equals > 0) flags.set(argument.slice(2, equals), argument.slice(equals + 1));
    else if (index + 1 < argv.length && !argv[index + 1]!.startsWith('--')) flags.set(argument.slice(2), argv[++index]!);
  }
  return flags;
}

function parsePort(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

// The scan must run several times within one expiry or brokers would outlive it by far.
if (defaultBrokerScanIntervalMs * 4 > defaultBrokerExpiryMs) {
  throw new Error('settings: the broker scan interval must be well below the broker expiry');
}
