import { corruptFile } from './data-errors.js';

/** One regular file of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, e.g. `cifar-10-batches-bin/data_batch_1.bin`. */
  readonly path: string;
  /** File content (a view into the archive buffer). */
  readonly data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

function readString(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

function readOctal(block: Uint8Array, start: number, length: number): number {
  const text = readString(block, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumMatches(header: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum === readOctal(header, 148, 8);
}

function paxPath(data: Uint8Array): string | undefined {
  for (const line of decoder.decode(data).split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * List the regular files of an uncompressed tar archive (ustar, GNU long names, pax `path`).
 * Gunzip a `.tar.gz` first, e.g. with `maybeGunzip`.
 * @param tar - the archive bytes
 * @param file - archive name for error messages
 * @throws OmnipruneError `E_CORRUPT_FILE` on a bad header checksum or an entry running past the end
 * @example
 * const entries = readTarEntries(maybeGunzip(await readFile('cifar-10-binary.tar.gz'), 'cifar-10-binary.tar.gz'), 'cifar-10-binary.tar.gz');
 */
export function readTarEntries(tar: Uint8Array, file: string): TarEntry[] {
  const hint = 'the archive is damaged or not a tar file: download it again, or extract it yourself and set data.path to the extracted folder';
  const entries: TarEntry[] = [];
  let longName: string | undefined;
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumMatches(header)) {
      throw corruptFile(file, `bad tar header checksum at byte ${offset}`, hint);
    }
    const size = readOctal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const start = offset + BLOCK;
    if (start + size > tar.length) {
      throw corruptFile(file, `tar entry at byte ${offset} needs ${size} bytes but the archive ends first (truncated)`, hint);
    }
    const data = tar.subarray(start, start + size);
    if (type === 'L') {
      longName = readString(data, 0, data.length);
    } else if (type === 'x') {
      longName = paxPath(data) ?? longName;
    } else {
      if (type === '0' || type === '7') {
        const prefix = readString(header, 345, 155);
        const name = readString(header, 0, 100);
        entries.push({ path: longName ?? (prefix ? `${prefix}/${name}` : name), data });
      }
      longName = undefined;
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
