import { jsonLinesDecoder, objectField, oneLine, progress, stringField, textLines } from './stream-decoder.js';
import type { DecodedLine, StreamDecoder } from './stream-decoder.js';

// Codex's `exec --json`: one JSON event a line, thread.started, turn.started,
// item.started / item.updated / item.completed (items: agent_message, reasoning,
// command_execution, file_change, mcp_tool_call, web_search, todo_list, error),
// turn.completed (usage) or turn.failed (error.message), and error (message).

function item(event: Record<string, unknown>): DecodedLine {
  const value = objectField(event, 'item');
  const text = stringField(value, 'text');
  switch (value?.type) {
    case 'agent_message':
      return text === undefined ? progress() : textLines(text);
    case 'reasoning':
      return text === undefined ? progress() : progress(`· thinking: ${oneLine(text)}`);
    case 'command_execution': {
      const code = typeof value.exit_code === 'number' ? ` (exit ${value.exit_code})` : '';
      return progress(`· $ ${oneLine(stringField(value, 'command') ?? '')}${code}`);
    }
    case 'file_change': {
      const changes = Array.isArray(value.changes) ? value.changes.map((change) => `${stringField(change, 'kind') ?? '?'} ${stringField(change, 'path') ?? '?'}`) : [];
      return progress(`· changed ${changes.join(', ') || 'files'}`);
    }
    case 'mcp_tool_call':
      return progress(`· ${stringField(value, 'server') ?? '?'}.${stringField(value, 'tool') ?? '?'}`);
    case 'web_search':
      return progress(`· search: ${oneLine(stringField(value, 'query') ?? '')}`);
    case 'error':
      return progress(`· warning: ${oneLine(stringField(value, 'message') ?? '')}`);
    default:
      return progress();
  }
}

/** A decoder of Codex's exec --json events. */
export function codexStreamDecoder(): StreamDecoder {
  const failures: string[] = [];
  const decode = (event: Record<string, unknown>): DecodedLine => {
    switch (event.type) {
      case 'thread.started':
        return progress(`· thread ${stringField(event, 'thread_id') ?? '?'}`);
      case 'item.completed':
        return item(event);
      case 'turn.completed': {
        const usage = objectField(event, 'usage');
        return progress(usage === undefined ? '· turn done' : `· turn done (${String(usage.input_tokens)} tokens in, ${String(usage.output_tokens)} out)`);
      }
      case 'turn.failed': {
        const message = stringField(objectField(event, 'error'), 'message') ?? 'the turn failed';
        failures.push(message);
        return progress(`· the turn failed: ${oneLine(message)}`);
      }
      case 'error': {
        const message = stringField(event, 'message') ?? 'an error';
        // Codex reports its own retries of a dropped stream as errors; they are no failure.
        if (message.startsWith('Reconnecting')) return progress(`· ${oneLine(message)}`);
        failures.push(message);
        return progress(`· error: ${oneLine(message)}`);
      }
      default:
        return progress();
    }
  };
  return jsonLinesDecoder(failures, decode);
}
