import { open } from 'node:fs/promises';
import { RequirementsInputError } from './errors.js';
import { formatFromPath, sniffFormat, type InputFormat } from './format.js';

const HEAD_BYTES = 64 * 1024;

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** `[` alone (a pretty-printed array), or a line opening an array of objects or strings, or one that is a whole array. */
function isJsonArray(line: string): boolean {
  if (line === '[' || /^\[\s*[{"]/.test(line)) return true;
  if (!line.startsWith('[')) return false;
  try {
    return Array.isArray(JSON.parse(line));
  } catch {
    return false;
  }
}

/** How to make JSONL of a file (`FILE.jsonl` beside it), or of what was piped to stdin. */
function jqCommand(path: string): string {
  return path === '-' ? `jq -c '.[]' FILE | agent-factory submit -` : `jq -c '.[]' ${path} > ${path.replace(/\.[^./\\]*$/, '')}.jsonl`;
}

/** How to make UTF-8 of a file (`NAME.utf8.EXT` beside it), or of what was piped to stdin. */
function iconvCommand(path: string): string {
  return path === '-' ? 'iconv -f UTF-16 -t UTF-8 FILE | agent-factory submit -' : `iconv -f UTF-16 -t UTF-8 ${path} > ${path.replace(/(\.[^./\\]*)?$/, '.utf8$1')}`;
}

/**
 * The input's format: `given` (--format), else its extension, else sniffed from its first non-blank
 * line. First refuses, as a whole, inputs whose every line would be misread: UTF-16 (a Windows
 * "Unicode" save; line by line it is invalid UTF-8 or lost), and a JSON array about to be read as
 * text (each of its lines, `[` included, would become a requirement). --format text still reads one.
 */
export async function inputFormat(path: string, readable: string, given: InputFormat | undefined): Promise<InputFormat> {
  const head = await readHead(readable);
  const label = path === '-' ? 'stdin' : path;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new RequirementsInputError(`${label} is UTF-16 (it starts with a UTF-16 byte order mark); submit reads UTF-8: save it as UTF-8, e.g. ${iconvCommand(path)}`);
  }
  if (given) return given;
  const first = (head.toString('utf8').split(/\r\n?|\n/).find((l) => l.trim() !== '') ?? '').replace(/^\uFEFF/, '').trim();
  const format = (path === '-' ? undefined : formatFromPath(path)) ?? sniffFormat(first);
  if (format === 'text' && isJsonArray(first)) {
    throw new RequirementsInputError(`${label} is a JSON array; submit reads JSONL, one JSON object a line: convert it with ${jqCommand(path)} (POST /api/batches takes the array as it is)`);
  }
  return format;
}
