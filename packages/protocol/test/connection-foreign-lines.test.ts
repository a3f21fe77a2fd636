import { afterEach, describe, expect, it } from '@jest/globals';
import type { CloseInfo } from '../src/index.js';
import type { ConnectionPair } from './helpers.js';
import { Echo, collectLines, connectionPair, settle, until } from './helpers.js';

let pair: ConnectionPair | undefined;

function open(options?: Parameters<typeof connectionPair>[0]): ConnectionPair {
  pair = connectionPair(options);
  return pair;
}

afterEach(() => {
  pair?.dispose();
  pair = undefined;
});

describe('Connection lines of no protocol', () => {
  it('counts the lines received, blank lines aside, including the one being handled', async () => {
    const { clientToServer, server } = open();
    const seen: number[] = [];
    server.onUnknownMessage(() => void seen.push(server.linesReceived));
    server.onParseError(() => void seen.push(server.linesReceived));
    expect(server.linesReceived).toBe(0);
    clientToServer.write('{"a":1}\n\nnot json\n{"id":0,"method":"no.such"}\n[2]\n');
    await until(() => seen.length === 3);
    expect(seen).toEqual([1, 2, 4]);
    expect(server.linesReceived).toBe(4);
  });

  it('hands a line that is not JSON to onParseError instead of answering parse_error, until that listener is disposed', async () => {
    const { clientToServer, serverToClient, server } = open();
    const answers = collectLines(serverToClient);
    const listener = server.onParseError((error) => server.writeRaw({ bad: error.message }));
    clientToServer.write('nope\n');
    await until(() => answers.length === 1);
    expect(answers[0]).toEqual({ bad: expect.stringContaining('JSON') });
    listener.dispose();
    clientToServer.write('nope\n');
    await until(() => answers.length === 2);
    expect(answers[1]).toMatchObject({ id: null, error: { code: 'parse_error' } });
    expect(server.closed).toBe(false);
  });

  it('waits for the promise of an unknown-message listener before closing after the peer ends', async () => {
    const { clientToServer, serverToClient, server } = open();
    const answers = collectLines(serverToClient);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    server.onUnknownMessage(async () => {
      await released;
      server.writeRaw({ status: 'ok' });
    });
    const closed = new Promise<CloseInfo>((resolve) => server.onClose(resolve));
    clientToServer.end('{"action":"ping"}\n');
    await settle();
    expect(server.closed).toBe(true);
    expect(answers).toEqual([]);
    release();
    expect(await closed).toEqual({ reason: 'peer' });
    await until(() => answers.length === 1);
    expect(answers).toEqual([{ status: 'ok' }]);
  });

  it('logs an unknown-message listener that throws, and carries on', async () => {
    const { client, clientToServer, server, serverLog } = open();
    server.handle(Echo, ({ n }) => ({ n }));
    server.onUnknownMessage(() => {
      throw new Error('listener bug');
    });
    clientToServer.write('{"x":1}\n');
    await until(() => serverLog.warnings.some((w) => w.msg.includes('unknown-message listener failed')));
    await expect(client.request(Echo, { n: 3 })).resolves.toEqual({ n: 3 });
  });

  it('reads a last line without a newline when told to, and discards it otherwise', async () => {
    const told = open({ server: { readUnterminatedLastLine: true } });
    const got: unknown[] = [];
    told.server.onUnknownMessage((message) => void got.push(message));
    const toldClosed = new Promise<CloseInfo>((resolve) => told.server.onClose(resolve));
    told.clientToServer.end('{"action":"ping"}');
    expect(await toldClosed).toEqual({ reason: 'peer' });
    expect(got).toEqual([{ action: 'ping' }]);
    told.dispose();

    const { clientToServer, server } = open();
    server.onUnknownMessage((message) => void got.push(message));
    const closed = new Promise<CloseInfo>((resolve) => server.onClose(resolve));
    clientToServer.end('{"action":"ping"}');
    expect(await closed).toEqual({ reason: 'peer' });
    expect(got).toHaveLength(1);
  });
});
