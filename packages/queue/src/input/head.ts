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

/** How to make UTF-8 of a file (`NAME.utf8.EXT` beside it), or of what was piped to stdin. */
function iconvCommand(path: string): string {
  return path === '-' ? 'iconv -f UTF-16 -t UTF-8 FILE | agent-factory submit -' : `iconv -f UTF-16 -t UTF-8 ${path} > ${path.replace(/(\.[^./\\]*)?$/, '.utf8$1')}`;
}

/**
 * The input's format: `given` (--format), else its extension, else sniffed from its first non-blank
 * line. First refuses, as a whole, an input whose every line would be misread: UTF-16 (a Windows
 * "Unicode" save; line by line it is invalid UTF-8 or lost).
 */
export async function inputFormat(path: string, readable: string, given: InputFormat | undefined): Promise<InputFormat> {
  const head = await readHead(readable);
  const label = path === '-' ? 'stdin' : path;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new RequirementsInputError(`${label} is UTF-16 (it starts with a UTF-16 byte order mark); submit reads UTF-8: save it as UTF-8, e.g. ${iconvCommand(path)}`);
  }
  if (given) return given;
  return (path === '-' ? undefined : formatFromPath(path)) ?? sniffFormat(head.toString('utf8').split(/\r\n?|\n/).find((l) => l.trim() !== '') ?? '');
}
