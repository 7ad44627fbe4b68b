import { describe, expect, it } from 'vitest';
import { parseCommandFlags } from '../../gpu-batch/cli/command.js';
import { COMMANDS } from '../../gpu-batch/cli/commands/index.js';
import { parseCli } from '../../gpu-batch/cli/parse-cli.js';
import { loadConfig } from '../../gpu-batch/config/config.js';
import { parseDuration } from '../../gpu-batch/config/duration.js';
import { UsageError } from '../../gpu-batch/config/errors.js';
import { GATE_DEFAULTS } from '../../gpu-batch/ope/gate-defaults.js';
import { parseRewards } from '../../gpu-batch/config/rewards.js';

describe('parseDuration', () => {
  it.each([['15m', 900_000], ['90s', 90_000], ['1h30m', 5_400_000], ['2d', 172_800_000], ['250ms', 250], ['1000', 1000]])('%s = %d ms', (t, ms) => expect(parseDuration(t)).toBe(ms));
  it.each(['', '15', 'm', '15 minutes', '-5m', '1h 30m', '5x'].filter((t) => t !== '15'))('rejects %j', (t) => expect(() => parseDuration(t)).toThrow(UsageError));
});

describe('parseRewards', () => {
  it('reads a reward per event type', () => expect(parseRewards('click=1, purchase=5')).toEqual({ click: 1, purchase: 5 }));
  it.each([
    ['tap=1', '--reward: unknown event type "tap" (one of click, purchase, dwell, add_to_cart, dismiss)'],
    ['click=', '--reward: click needs a non-negative number, got ""'],
    ['click=-1', '--reward: click needs a non-negative number, got "-1"'],
    ['click', '--reward: click needs a non-negative number, got undefined'],
    ['click=0', '--reward: at least one event type needs a positive reward'],
  ])('rejects %j', (t, message) => expect(() => parseRewards(t)).toThrow(new UsageError(message)));
});

describe('loadConfig', () => {
  const env = { S3_ENDPOINT: 'http://127.0.0.1:4568', S3_BUCKET: 'slatecast', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's', BATCH_TRIGGER_TOKEN: 'a-long-enough-trigger-token' };

  it('reads env and lets flags win', () => {
    const c = loadConfig(env, { bucket: 'other', every: '5m', window: '10m', dims: '16', reward: 'click=1,purchase=3' }, '/srv');
    expect(c.s3).toEqual({ endpoint: 'http://127.0.0.1:4568', bucket: 'other', region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's' });
    expect(c.workDir).toBe('/srv/.tmp/batch');
    expect([c.serve.everyMs, c.attributionWindowMs, c.dims, c.rewards]).toEqual([300_000, 600_000, 16, { click: 1, purchase: 3 }]);
    expect(c.serve.triggerToken).toBe('a-long-enough-trigger-token');
    expect(loadConfig({ ...env, S3_ACCESS_KEY_ID: '', AWS_ACCESS_KEY_ID: 'aws' }).s3.accessKeyId).toBe('aws');
    expect([loadConfig(env).optimism, loadConfig({ ...env, SLATECAST_OPTIMISM: '1' }).optimism, loadConfig({ ...env, SLATECAST_OPTIMISM: '1' }, { optimism: '2' }).optimism]).toEqual([0, 1, 2]);
    expect([loadConfig(env).challengers, loadConfig({ ...env, SLATECAST_CHALLENGERS: '0' }).challengers, loadConfig(env, { challengers: '5' }).challengers]).toEqual([10, 0, 5]);
    expect([loadConfig(env).gate.taste, loadConfig({ ...env, SLATECAST_GATE_TASTE: 'none' }).gate.taste, loadConfig(env, { 'gate-taste': 'candidate' }).gate.taste]).toEqual([GATE_DEFAULTS.taste, 'none', 'candidate']);
    expect([loadConfig(env).gate.slice, loadConfig({ ...env, SLATECAST_GATE_SLICE: '0.1' }).gate.slice, loadConfig(env, { 'gate-slice': '0.2' }).gate.slice]).toEqual([GATE_DEFAULTS.slice, 0.1, 0.2]);
    expect([loadConfig(env).gate.canaryShare, loadConfig({ ...env, SLATECAST_CANARY: '0.1' }).gate.canaryShare, loadConfig(env, { canary: '0.2' }).gate.canaryShare]).toEqual([0, 0.1, 0.2]);
  });

  it.each([
    [{ endpoint: 'not a url' }, {}, /^bad setting s3\.endpoint: /],
    [{ backend: 'tpu' }, {}, /^bad setting backend: /],
    [{ dims: '0' }, {}, /^bad setting dims: Too small/],
    [{ every: 'often' }, {}, /^bad setting serve\.everyMs: not a duration: "often"/],
    [{ holdout: '0.95' }, {}, /^bad setting holdoutFraction: Too big/],
    [{ optimism: '-1' }, {}, /^bad setting optimism: Too small/],
    [{ canary: '0.8' }, {}, /^bad setting gate\.canaryShare: Too big/],
    [{ challengers: '2.5' }, {}, /^bad setting challengers: /],
    [{ 'gate-taste': 'mine' }, {}, /^bad setting gate\.taste: /],
    [{ 'gate-slice': '0.6' }, {}, /^bad setting gate\.slice: Too big/],
    [{ 'k-default': '30' }, {}, /^k-default \(30\) must not exceed k-max \(20\)$/],
    [{}, { BATCH_TRIGGER_TOKEN: 'short' }, /BATCH_TRIGGER_TOKEN must be at least 16 characters/],
  ])('rejects flags %j env %j', (flags, extraEnv, message) => {
    expect(() => loadConfig({ ...env, ...extraEnv }, flags)).toThrow(message);
    expect(() => loadConfig({ ...env, ...extraEnv }, flags)).toThrow(UsageError);
  });
});

describe('parseCli', () => {
  it.each([
    [['batch', 'run', '--backend', 'cpu'], 'batch run', []],
    [['batch', 'serve', '--every', '15m'], 'batch serve', []],
    [['catalog', 'put', 'items.ndjson'], 'catalog put', ['items.ndjson']],
    [['rollback'], 'rollback', []],
    [['rollback', 'v20260101T000000Z-abc123'], 'rollback', ['v20260101T000000Z-abc123']],
    [['status', '--json'], 'status', []],
    [[], 'help', []],
  ])('%j → %s', (argv, command, positionals) => {
    const p = parseCli(argv);
    expect([p.command, p.positionals]).toEqual([command, positionals]);
  });

  it.each([
    [['batch', 'run', '--bogus'], /Unknown option '--bogus'/],
    [['batch', 'run', '--every'], /argument missing/],
    [['catalog', 'put'], /catalog put takes one file/],
    [['rollback', 'a', 'b'], /rollback takes at most one version/],
    [['train'], /unknown command: train/],
    [['batch', 'run', '--logs', 'x'], /^batch run: --logs is not a flag of this command/],
    [['status', '--run-now'], /^status: --run-now is not a flag of this command/],
    [['status', 'now'], /^unexpected arguments: now/],
  ])('rejects %j', (argv, message) => expect(() => parseCli(argv)).toThrow(message));

  it('types each command\'s own flags from its schema (a boolean takes no value)', () => {
    expect(parseCli(['ope', '--strict', '--logs', 'd', '--target', 't']).flags).toMatchObject({ strict: true, logs: 'd', target: 't' });
    expect(parseCli(['batch', 'serve', '--run-now']).flags['run-now']).toBe(true);
  });
});

describe('command flag schemas', () => {
  const ope = (...argv: string[]) => parseCommandFlags('ope', COMMANDS.ope.flags, parseCli(['ope', ...argv]).flags);

  it('parses and defaults', () => {
    expect(ope('--logs', 'd', '--target', 't')).toEqual({ logs: 'd', target: 't', format: 'ndjson', clip: 10, strict: false });
    expect(ope('--logs', 'd', '--target', 't', '--clip', '2.5', '--max-impressions', '100', '--format', 'dsjson')).toMatchObject({ clip: 2.5, 'max-impressions': 100, format: 'dsjson' });
  });

  it.each([
    [['--target', 't'], 'ope: --logs: is required (DIR|s3://BUCKET/PREFIX)'],
    [['--logs', 'd', '--target', 't', '--clip', '0'], 'ope: --clip 0: must be a number > 0'],
    [['--logs', 'd', '--target', 't', '--clip', 'lots'], 'ope: --clip lots: must be a number > 0'],
    [['--logs', 'd', '--target', 't', '--max-impressions', '1'], 'ope: --max-impressions 1: must be an integer ≥ 2'],
    [['--logs', 'd', '--target', 't', '--format', 'csv'], 'ope: --format csv: must be ndjson or dsjson'],
  ])('rejects %j naming the flag', (argv, message) => expect(() => ope(...argv)).toThrow(new UsageError(message)));
});
