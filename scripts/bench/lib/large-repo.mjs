// A large git repository for the workspace benchmark, made in seconds with
// `git fast-import`: a bare origin whose `main` has `files` files (in folders
// of 100) and `commits` commits (the first adds every file, each later one
// edits a few), and a clone of it as the operator's checked-out repository.
// Usage: node scripts/bench/lib/large-repo.mjs <folder> [--files=50000] [--commits=300]
import { execFile, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const IDENTITY = 'Repovisor Bench <bench@repovisor.invalid>';
const FILES_PER_FOLDER = 100;
const EDITS_PER_COMMIT = 20;

function pathOf(index) {
  return `src/d${String(Math.floor(index / FILES_PER_FOLDER)).padStart(4, '0')}/f${String(index % FILES_PER_FOLDER).padStart(3, '0')}.txt`;
}

// Text that compresses like source code rather than to nothing: words picked by a small generator.
const WORDS = ['const', 'return', 'function', 'value', 'index', 'await', 'export', 'import', 'if', 'else', 'for', 'while', 'result', 'error', 'path', 'name'];
function contentOf(index, revision) {
  let seed = (index * 2_654_435_761 + revision * 40_503) >>> 0;
  const lines = [`// file ${index} revision ${revision}`];
  for (let line = 0; line < 12 + (index % 24); line += 1) {
    const words = [];
    for (let word = 0; word < 8; word += 1) {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      words.push(`${WORDS[seed % WORDS.length]}${seed % 997}`);
    }
    lines.push(words.join(' '));
  }
  return `${lines.join('\n')}\n`;
}

/** The fast-import stream of the history, written to `input` piece by piece. */
async function writeHistory(input, files, commits) {
  const write = (text) => (input.write(text) ? Promise.resolve() : new Promise((done) => input.once('drain', done)));
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  let time = 1_700_000_000;
  for (let commit = 0; commit < commits; commit += 1) {
    time += 3600;
    let body = `commit refs/heads/main\ncommitter ${IDENTITY} ${time} +0000\n${data(`commit ${commit}`)}`;
    await write(body);
    if (commit === 0) {
      for (let index = 0; index < files; index += 1) await write(`M 100644 inline ${pathOf(index)}\n${data(contentOf(index, 0))}`);
    } else {
      for (let edit = 0; edit < EDITS_PER_COMMIT; edit += 1) {
        const index = (commit * 7919 + edit * 104_729) % files;
        await write(`M 100644 inline ${pathOf(index)}\n${data(contentOf(index, commit))}`);
      }
    }
    await write('\n');
  }
  input.end();
}

/**
 * Creates `<folder>/origin.git` (bare, the history above) and `<folder>/repo`
 * (a clone with `main` checked out and a local identity); resolves with both paths.
 */
export async function createLargeRepo(folder, { files = 50_000, commits = 300 } = {}) {
  const origin = join(folder, 'origin.git');
  const repo = join(folder, 'repo');
  await mkdir(folder, { recursive: true });
  await run('git', ['init', '-q', '--bare', '-b', 'main', origin]);
  const importer = spawn('git', ['-C', origin, 'fast-import', '--quiet'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise((done, fail) => {
    importer.once('error', fail);
    importer.once('close', (code) => (code === 0 ? done() : fail(new Error(`git fast-import exited with code ${code}`))));
  });
  await writeHistory(importer.stdin, files, commits);
  await exited;
  // One pack with deltas, as a repository fetched from a host has.
  await run('git', ['-C', origin, 'repack', '-adq'], { maxBuffer: 64 * 1024 * 1024 });
  await run('git', ['clone', '-q', origin, repo], { maxBuffer: 64 * 1024 * 1024 });
  await run('git', ['-C', repo, 'config', 'user.name', 'Repovisor Bench']);
  await run('git', ['-C', repo, 'config', 'user.email', 'bench@repovisor.invalid']);
  return { origin, repo };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [folder, ...flags] = process.argv.slice(2);
  if (folder === undefined) {
    process.stderr.write('usage: node scripts/bench/lib/large-repo.mjs <folder> [--files=50000] [--commits=300]\n');
    process.exit(2);
  }
  const option = (name, fallback) => Number(flags.find((flag) => flag.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
  const made = await createLargeRepo(resolve(folder), { files: option('files', 50_000), commits: option('commits', 300) });
  process.stdout.write(`${JSON.stringify(made)}\n`);
}
