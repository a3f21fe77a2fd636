import { describe, expect, it } from '@jest/globals';
import { MAX_BODY_BYTES, MAX_LABEL_CHARS, MAX_LABELS, MAX_TITLE_CHARS, validateNewTask } from '../src/pipeline/tasks/task-input.js';

describe('validateNewTask', () => {
  it('accepts {title, body, labels?}, trims the title and drops repeated labels', () => {
    expect(validateNewTask({ title: '  Add a greeting ', body: '' })).toEqual({ ok: true, task: { title: 'Add a greeting', body: '', labels: [] } });
    expect(validateNewTask({ title: 't', body: 'b', labels: ['bug', 'bug', 'ui'] })).toEqual({ ok: true, task: { title: 't', body: 'b', labels: ['bug', 'ui'] } });
  });

  it('accepts a title and a body at their limits, counting characters and UTF-8 bytes', () => {
    expect(validateNewTask({ title: '😀'.repeat(MAX_TITLE_CHARS), body: 'é'.repeat(MAX_BODY_BYTES / 2) }).ok).toBe(true);
    expect(validateNewTask({ title: 'x'.repeat(MAX_TITLE_CHARS + 1), body: '' })).toEqual({
      ok: false,
      code: 'invalid',
      message: 'the new task is not valid: title: 201 characters, over the limit of 200; put the details in the body',
    });
  });

  it('refuses a body over 64 KiB as too large (413), with every other problem listed', () => {
    const result = validateNewTask({ title: '', body: 'é'.repeat(MAX_BODY_BYTES / 2 + 1) });
    expect(result).toEqual({
      ok: false,
      code: 'too_large',
      message: 'the new task is not valid: title: empty; give a short summary of the task; body: 65538 bytes, over the limit of 65536 (64 KiB); shorten it or link to the details',
    });
  });

  it('says what is wrong with each field (400)', () => {
    const cases: [unknown, string][] = [
      [null, 'a new task must be a JSON object {title, body, labels?}'],
      [['t'], 'a new task must be a JSON object {title, body, labels?}'],
      [{ body: 'b' }, 'title: missing; give a string'],
      [{ title: 'a\nb', body: 'b' }, 'title: has a line break'],
      [{ title: 't' }, 'body: missing'],
      [{ title: 't', body: 'b', labels: 'bug' }, 'labels: not a list'],
      [{ title: 't', body: 'b', labels: ['ok', ''] }, 'labels[1]: give a non-empty string'],
      [{ title: 't', body: 'b', labels: ['x'.repeat(MAX_LABEL_CHARS + 1)] }, 'labels[0]: 101 characters, over the limit of 100'],
      [{ title: 't', body: 'b', labels: Array.from({ length: MAX_LABELS + 1 }, (_, index) => `l${index}`) }, 'labels: 51 labels, over the limit of 50'],
      [{ title: 't', body: 'b', stage: 'done' }, 'stage: unknown field (a new task has title, body and labels)'],
    ];
    for (const [input, message] of cases) {
      expect(validateNewTask(input)).toEqual({ ok: false, code: 'invalid', message: expect.stringContaining(message) });
    }
  });
});
