import { describe, expect, it } from '@jest/globals';
import { LineSplitter } from '../src/pipeline/agents/line-splitter.js';

function split(chunks: string[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  chunks.forEach((chunk) => splitter.push(chunk));
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('cuts text into lines across chunks, CRLF included, and hands on a last line without newline', () => {
    expect(split(['a\nb', 'c\r\n', '\nd'])).toEqual(['a', 'bc', '', 'd']);
    expect(split(['one\n'])).toEqual(['one']);
  });

  it('cuts a line longer than 1 MiB and marks it, keeping the lines after it', () => {
    const [long, next] = split(['x'.repeat(700_000), 'y'.repeat(700_000), '\nnext\n']);
    expect(long).toBe(`${'x'.repeat(700_000)}${'y'.repeat(1024 * 1024 - 700_000)} …[line truncated]`);
    expect(next).toBe('next');
  });
});
