import { jsonLinesDecoder, objectField, oneLine, progress, stringField, textLines } from './stream-decoder.js';
import type { DecodedLine, StreamDecoder } from './stream-decoder.js';

// Claude Code's `--output-format stream-json --verbose`: one JSON event a line,
// `system` (init: session, model, tools), `assistant` and `user` messages (the
// Messages API's content blocks: text, tool_use, tool_result), then one `result`
// (subtype success or error_*, is_error, the final text in `result`).

/** The input field a tool call is best summed up by. */
const TOOL_SUMMARY_KEYS = ['command', 'file_path', 'path', 'pattern', 'url', 'description'];

function toolUse(block: Record<string, unknown>): string {
  const name = stringField(block, 'name') ?? 'a tool';
  const input = objectField(block, 'input');
  const key = TOOL_SUMMARY_KEYS.find((each) => stringField(input, each) !== undefined);
  return key === undefined ? `· ${name}` : `· ${name}: ${oneLine(stringField(input, key)!)}`;
}

function contentOf(event: Record<string, unknown>): Record<string, unknown>[] {
  const content = objectField(event, 'message')?.content;
  return Array.isArray(content) ? content.filter((block): block is Record<string, unknown> => typeof block === 'object' && block !== null) : [];
}

/** A decoder of Claude Code's stream-json events. */
export function claudeStreamDecoder(): StreamDecoder {
  const failures: string[] = [];
  let spoke = false;
  const decode = (event: Record<string, unknown>): DecodedLine => {
    switch (event.type) {
      case 'system':
        return stringField(event, 'subtype') === 'init' ? progress(`· session ${stringField(event, 'session_id') ?? '?'} (model ${stringField(event, 'model') ?? '?'})`) : progress();
      case 'assistant': {
        const out: DecodedLine = { shown: [], text: [] };
        for (const block of contentOf(event)) {
          const text = stringField(block, 'text');
          const part = block.type === 'text' && text !== undefined ? textLines(text) : block.type === 'tool_use' ? progress(toolUse(block)) : progress();
          if (part.text.length > 0) spoke = true;
          out.shown.push(...part.shown);
          out.text.push(...part.text);
        }
        return out;
      }
      case 'user':
        return progress(...contentOf(event).filter((block) => block.type === 'tool_result' && block.is_error === true).map(() => '· the tool call failed'));
      case 'result': {
        const result = stringField(event, 'result');
        const subtype = stringField(event, 'subtype') ?? '?';
        if (event.is_error === true || subtype !== 'success') {
          failures.push(result ?? subtype);
          return progress(`· the run failed (${subtype}): ${oneLine(result ?? '')}`);
        }
        // The result repeats the last message: it is the answer only when no message came.
        const answer = !spoke && result !== undefined ? textLines(result) : progress();
        const turns = typeof event.num_turns === 'number' ? `, ${event.num_turns} turns` : '';
        return { shown: [...answer.shown, `· done${turns}`], text: answer.text };
      }
      default:
        return progress();
    }
  };
  return jsonLinesDecoder(failures, decode);
}
