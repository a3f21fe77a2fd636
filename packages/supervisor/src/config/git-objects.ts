import type { Stats } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A full object id: SHA-1 (40 hex digits) or SHA-256 (64). */
export const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** What a ref names in a files-backend repository: an object id, nothing yet (an unborn branch), or something to leave to git. */
export type RefTarget = { kind: 'id'; id: string } | { kind: 'unborn' } | { kind: 'unknown' };

/** Reads `ref` (`refs/heads/main`) as git does: the loose ref file, else its line in `packed-refs`. */
export async function readRef(commonDir: string, ref: string): Promise<RefTarget> {
  const loose = (await readTextOrMissing(join(commonDir, ref)))?.trim();
  if (loose !== undefined) return OBJECT_ID.test(loose) ? { kind: 'id', id: loose } : { kind: 'unknown' };
  const packed = await readTextOrMissing(join(commonDir, 'packed-refs'));
  if (packed === undefined) return { kind: 'unborn' };
  for (const line of packed.split('\n')) {
    const [id, name] = line.trim().split(' ');
    if (name === ref && id !== undefined) return OBJECT_ID.test(id) ? { kind: 'id', id } : { kind: 'unknown' };
  }
  return { kind: 'unborn' };
}

const PACK_INDEX_MAGIC = 0xff744f63;
const FANOUT_OFFSET = 8;
const IDS_OFFSET = FANOUT_OFFSET + 256 * 4;
const SHA1_BYTES = 20;

/**
 * True when the object `id` is in `<commonDir>/objects`, loose or in a pack
 * (looked up in the packs' version-2 indexes); false when it is in neither;
 * undefined when that cannot be told here (SHA-256 ids, other index versions).
 */
export async function hasObject(commonDir: string, id: string): Promise<boolean | undefined> {
  const objects = join(commonDir, 'objects');
  if ((await statOrMissing(join(objects, id.slice(0, 2), id.slice(2)))) !== undefined) return true;
  if (id.length !== SHA1_BYTES * 2) return undefined;
  let entries: string[];
  try {
    entries = await readdir(join(objects, 'pack'));
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
  const wanted = Buffer.from(id, 'hex');
  let verdict: boolean | undefined = false;
  for (const entry of entries) {
    if (!entry.endsWith('.idx') || !entries.includes(`${entry.slice(0, -'.idx'.length)}.pack`)) continue;
    const found = await packIndexHas(join(objects, 'pack', entry), wanted);
    if (found === true) return true;
    if (found === undefined) verdict = undefined;
  }
  return verdict;
}

/** Looks `id` up in one pack index (version 2: magic, version, 256-entry fan-out, sorted ids). */
async function packIndexHas(file: string, id: Buffer): Promise<boolean | undefined> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(FANOUT_OFFSET);
    await handle.read(header, 0, FANOUT_OFFSET, 0);
    if (header.readUInt32BE(0) !== PACK_INDEX_MAGIC || header.readUInt32BE(4) !== 2) return undefined;
    const first = id[0] ?? 0;
    // Objects whose first byte is below `first` come before it: fanout[first - 1] of them.
    const bounds = Buffer.alloc(8);
    await handle.read(bounds, 0, first === 0 ? 4 : 8, FANOUT_OFFSET + (first === 0 ? 0 : (first - 1) * 4));
    const low = first === 0 ? 0 : bounds.readUInt32BE(0);
    const high = first === 0 ? bounds.readUInt32BE(0) : bounds.readUInt32BE(4);
    if (high <= low) return false;
    const ids = Buffer.alloc((high - low) * SHA1_BYTES);
    const { bytesRead } = await handle.read(ids, 0, ids.length, IDS_OFFSET + low * SHA1_BYTES);
    if (bytesRead !== ids.length) return undefined;
    let lo = 0;
    let hi = high - low;
    while (lo < hi) {
      const middle = (lo + hi) >>> 1;
      const order = ids.compare(id, 0, SHA1_BYTES, middle * SHA1_BYTES, (middle + 1) * SHA1_BYTES);
      if (order === 0) return true;
      // `order` compares the index's entry with `id`: below it, search above.
      if (order < 0) lo = middle + 1;
      else hi = middle;
    }
    return false;
  } finally {
    await handle.close();
  }
}

/** The file's text, or undefined when there is no such file; other errors are thrown. */
export async function readTextOrMissing(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** The file's stats, or undefined when there is no such file; other errors are thrown. */
export async function statOrMissing(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
