import { afterEach, describe, expect, it } from '@jest/globals';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonLineLogger, LOG_LEVELS } from '@repovisor/worker';
import type { LogLevelName } from '@repovisor/worker';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
const openFds: number[] = [];

afterEach(async () => {
  for (const fd of openFds.splice(0)) closeSync(fd);
  await temp.cleanup();
});

/** A logger writing to a fresh temporary file, and a reader of that file's lines. */
async function makeLogger(level: LogLevelName, bindings?: Record<string, unknown>): Promise<{ logger: JsonLineLogger; lines: () => Record<string, unknown>[]; text: () => string }> {
  const path = join(await temp.make(), 'log.jsonl');
  const fd = openSync(path, 'a');
  openFds.push(fd);
  const text = (): string => readFileSync(path, 'utf8');
  const lines = (): Record<string, unknown>[] =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger: new JsonLineLogger({ level, fd, ...(bindings === undefined ? {} : { bindings }) }), lines, text };
}

describe('JsonLineLogger', () => {
  it('drops lines below its level and keeps those at or above it', async () => {
    const { logger, lines } = await makeLogger('warn');
    logger.trace('trace line');
    logger.debug('debug line');
    logger.info('info line');
    logger.warn('warn line');
    logger.error('error line');
    logger.fatal('fatal line');
    expect(lines().map((line) => [line.level, line.msg])).toEqual([
      [40, 'warn line'],
      [50, 'error line'],
      [60, 'fatal line'],
    ]);
  });

  it('writes trace lines at level trace, with pino numbers', async () => {
    const { logger, lines } = await makeLogger('trace');
    logger.trace('t');
    logger.debug('d');
    logger.info('i');
    expect(lines().map((line) => line.level)).toEqual([LOG_LEVELS.trace, LOG_LEVELS.debug, LOG_LEVELS.info]);
    expect(lines().map((line) => line.level)).toEqual([10, 20, 30]);
  });

  it('writes nothing at all when silent, not even fatal lines', async () => {
    const { logger, text } = await makeLogger('silent');
    logger.info('no');
    logger.fatal({ err: new Error('no') }, 'still no');
    logger.child({ slug: 'acme/alpha' }).fatal('nor the child');
    expect(text()).toBe('');
  });

  it('writes one JSON line: level, time, bindings, fields, then msg', async () => {
    const { logger, text } = await makeLogger('info', { pid: 42, slug: 'acme/alpha' });
    const before = Date.now();
    logger.info({ port: 8080, ready: true }, 'listening');
    const after = Date.now();
    const raw = text();
    expect(raw.endsWith('\n')).toBe(true);
    expect(raw.split('\n')).toHaveLength(2);
    const line = JSON.parse(raw) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['level', 'time', 'pid', 'slug', 'port', 'ready', 'msg']);
    expect(line).toEqual({ level: 30, time: expect.any(Number), pid: 42, slug: 'acme/alpha', port: 8080, ready: true, msg: 'listening' });
    expect(line.time).toBeGreaterThanOrEqual(before);
    expect(line.time).toBeLessThanOrEqual(after);
  });

  it('takes a message alone', async () => {
    const { logger, lines } = await makeLogger('info');
    logger.info('just words');
    expect(lines()).toEqual([{ level: 30, time: expect.any(Number), msg: 'just words' }]);
  });

  it('takes fields without a message and then writes no msg', async () => {
    const { logger, lines } = await makeLogger('info');
    logger.warn({ attempt: 3 });
    expect(lines()).toEqual([{ level: 40, time: expect.any(Number), attempt: 3 }]);
    expect(lines()[0]).not.toHaveProperty('msg');
  });

  it('makes children that add bindings and keep the level', async () => {
    const { logger, lines } = await makeLogger('warn', { pid: 7 });
    const child = logger.child({ slug: 'acme/alpha' });
    const grandchild = child.child({ loop: 'repo-watcher' });
    child.info('dropped: below warn');
    grandchild.debug('dropped too');
    child.warn('from the child');
    grandchild.error({ tick: 2 }, 'from the grandchild');
    logger.warn('from the parent');
    expect(lines()).toEqual([
      { level: 40, time: expect.any(Number), pid: 7, slug: 'acme/alpha', msg: 'from the child' },
      { level: 50, time: expect.any(Number), pid: 7, slug: 'acme/alpha', loop: 'repo-watcher', tick: 2, msg: 'from the grandchild' },
      { level: 40, time: expect.any(Number), pid: 7, msg: 'from the parent' },
    ]);
  });

  it('reports its bindings, as a copy', async () => {
    const { logger } = await makeLogger('info', { pid: 7 });
    expect(logger.bindings()).toEqual({ pid: 7 });
    const child = logger.child({ slug: 'acme/alpha', pid: 8 });
    expect(child.bindings()).toEqual({ pid: 8, slug: 'acme/alpha' });
    expect(logger.bindings()).toEqual({ pid: 7 });
    logger.bindings().pid = 99;
    expect(logger.bindings()).toEqual({ pid: 7 });
    expect(new JsonLineLogger({ level: 'info' }).bindings()).toEqual({});
  });

  it('serialises errors as {type, message, stack, own properties, cause}', async () => {
    const { logger, lines } = await makeLogger('info');
    const root = Object.assign(new Error('no such file'), { code: 'ENOENT', errno: -2 });
    class LoadError extends Error {
      override readonly name = 'LoadError';
    }
    const error = new LoadError('could not load state', { cause: root });
    logger.error({ err: error }, 'load failed');
    const [line] = lines();
    expect(line).toEqual({
      level: 50,
      time: expect.any(Number),
      err: {
        type: 'LoadError',
        message: 'could not load state',
        stack: error.stack,
        name: 'LoadError',
        cause: { type: 'Error', message: 'no such file', stack: root.stack, code: 'ENOENT', errno: -2 },
      },
      msg: 'load failed',
    });
    expect(String((line?.err as { stack: string }).stack)).toContain('could not load state');
  });

  it('serialises an error nested deeper in the fields, and a non-error cause', async () => {
    const { logger, lines } = await makeLogger('info');
    const error = new Error('outer', { cause: 'a plain reason' });
    logger.warn({ result: { ok: false, errors: [error] } });
    expect(lines()[0]?.result).toEqual({ ok: false, errors: [{ type: 'Error', message: 'outer', stack: error.stack, cause: 'a plain reason' }] });
  });

  it('writes "[Circular]" for a cycle instead of throwing', async () => {
    const { logger, lines } = await makeLogger('info');
    const node: Record<string, unknown> = { name: 'node' };
    node.self = node;
    const error = new Error('loops') as Error & { again?: unknown };
    error.again = error;
    expect(() => logger.info({ node, err: error }, 'cycles')).not.toThrow();
    const [line] = lines();
    expect(line?.node).toEqual({ name: 'node', self: '[Circular]' });
    expect(line?.err).toMatchObject({ type: 'Error', message: 'loops', again: '[Circular]' });
    expect(line?.msg).toBe('cycles');
  });

  it('writes an object referenced twice (not a cycle) in full both times', async () => {
    const { logger, lines } = await makeLogger('info');
    const repo = { head: 'abc', branch: 'main' };
    const error = new Error('boom');
    logger.info({ before: repo, after: repo, err: error, cause: error }, 'shared');
    expect(lines()[0]).toMatchObject({ before: { head: 'abc', branch: 'main' }, after: { head: 'abc', branch: 'main' }, cause: { message: 'boom' } });
  });

  it('writes bigints as strings', async () => {
    const { logger, lines } = await makeLogger('info');
    logger.info({ bytes: 12345678901234567890n, nested: { small: 1n } }, 'big');
    expect(lines()[0]).toMatchObject({ bytes: '12345678901234567890', nested: { small: '1' }, msg: 'big' });
  });

  it('writes a fallback error line when a field cannot be serialised', async () => {
    const { logger, lines } = await makeLogger('info');
    const hostile = {
      toJSON(): never {
        throw new Error('refuses to be JSON');
      },
    };
    expect(() => logger.info({ hostile }, 'never written as is')).not.toThrow();
    expect(lines()).toEqual([{ level: 50, time: expect.any(Number), msg: 'unloggable line: refuses to be JSON' }]);
  });

  it('does not throw when its file descriptor is closed', async () => {
    const { logger, text } = await makeLogger('info');
    const fd = openFds.pop() ?? -1;
    closeSync(fd);
    expect(() => logger.info('into the void')).not.toThrow();
    expect(text()).toBe('');
  });
});
