/**
 * The `apogee` command line as scripts see it: every level answers --help
 * with exit code 0, a wrong command line exits 2 with a message on stderr,
 * and an unreachable NameServer is an operation failure (exit 1) explained in
 * one line. Each case runs the real CLI, `node bin/apogee.mjs ...`.
 */
import { describe, expect, it } from 'vitest';
import { runApogee } from './helpers/child.ts';


const apogee = runApogee;

/** A port nothing listens on: the discard port, which test machines do not serve. */
const deadAddress = '127.0.0.1:9';

describe('apogee --help', () => {
  it('lists every command and documents the exit codes', async () => {
    const result = await apogee(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['standalone', 'broker', 'control-plane', 'api', 'topic', 'group', 'lag', 'message', 'offset', 'produce', 'consume', 'bench']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(result.stdout).toContain('Exit codes:');
    expect(result.stdout).toMatch(/2 +usage error/);
  });

  it.each([
    [['standalone', '--help'], ['--data-dir', '--http-port', '--namesrv-port', '--broker-port', '--flush-disk-type', '--broker-role', '--config', 'APOGEE_DATA_DIR']],
    [['broker', '--help'], ['--namesrv', '--broker-port', 'APOGEE_NAMESRV']],
    [['topic', '--help'], ['create', 'update', 'delete', 'list', 'describe']],
    [['topic', 'create', '--help'], ['--queues', '--perm', '--json', '--namesrv']],
    [['group', '--help'], ['create', 'delete', 'list', 'describe']],
    [['message', '--help'], ['get', 'query']],
    [['offset', 'reset', '--help'], ['--topic', '--to']],
    [['lag', '--help'], ['<group>', '--json']],
    [['produce', '--help'], ['--tags', '--keys', '--count', '--body', '--file']],
    [['consume', '--help'], ['--group', '--tags', '--from', '--count']],
    [['bench', '--help'], ['produce', 'consume', 'e2e', 'p999Ms']],
    [['bench', 'e2e', '--help'], ['--rate', '--size', '--count', '--duration', '--inflight', '--producers', '--consumers', '--batch', '--flush-mode', '--json', '--progress']],
    [['help', 'produce'], ['--body']],
  ])('%j exits 0 and names its flags', async (args, expected) => {
    const result = await apogee(args);
    expect(result.code).toBe(0);
    for (const text of expected) expect(result.stdout).toContain(text);
  });
});

describe('usage errors exit 2 with a message on stderr', () => {
  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['topic'], /Usage: apogee topic/],
    [['topic', 'create'], /missing required argument 'topic'/],
    [['produce', 'orders', '--bogus'], /unknown option '--bogus'/],
    [['consume', 'orders'], /required option '--group <group>' not specified/],
    [['standalone', '--broker-port', '70000'], /--broker-port.*expected a port number/],
    [['standalone', '--flush-disk-type', 'SOMETIMES'], /SOMETIMES.*ASYNC_FLUSH/],
    [['produce', 'orders', '--namesrv', 'not-an-address'], /expected host:port/],
    [['offset', 'reset', 'g', '--topic', 't', '--to', 'yesterday-ish'], /expected a time/],
    [['bench', 'produce', '--count', '10', '--duration', '5s'], /cannot be used with/],
    [['api'], /not yet available/],
  ])('%j', async (args, message) => {
    const result = await apogee(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('takes an invalid APOGEE_* value as a usage error too', async () => {
    const result = await apogee(['standalone'], { APOGEE_BROKER_PORT: 'eleven' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected a port number/);
  });
});

describe('an unreachable NameServer', () => {
  it('fails produce with exit 1 and names the address', async () => {
    const result = await apogee(['produce', 'orders', '--body', 'hello', '--namesrv', deadAddress, '--timeout', '2000']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(deadAddress);
    expect(result.stderr).toMatch(/is the server running\?/);
  });

  it('takes the address from APOGEE_NAMESRV when --namesrv is absent', async () => {
    const result = await apogee(['produce', 'orders', '--body', 'hello', '--timeout', '2000'], { APOGEE_NAMESRV: deadAddress });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(deadAddress);
  });
});
