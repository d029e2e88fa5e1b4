/**
 * A minimal POSIX ustar writer: regular files only, deterministic headers
 * (mtime 0, uid/gid 0), enough for a one-layer test image.
 * Format: POSIX.1-1988 ustar (pax spec, "ustar Interchange Format").
 */

export interface TarFile {
  /** Relative path, at most 100 bytes (no prefix field support needed here). */
  name: string;
  content: Uint8Array;
  mode?: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width - 1 digits, then NUL, as GNU tar and Go's archive/tar write them.
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(file: TarFile): Buffer {
  const name = Buffer.from(file.name, "utf8");
  if (name.length > 100) throw new Error(`ustar: name longer than 100 bytes: ${file.name}`);
  const block = Buffer.alloc(BLOCK);
  name.copy(block, 0);
  block.write(octal(file.mode ?? 0o644, 8), 100, "ascii");
  block.write(octal(0, 8), 108, "ascii"); // uid
  block.write(octal(0, 8), 116, "ascii"); // gid
  block.write(octal(file.content.length, 12), 124, "ascii");
  block.write(octal(0, 12), 136, "ascii"); // mtime
  block.write("        ", 148, "ascii"); // checksum is computed over spaces in its own field
  block.write("0", 156, "ascii"); // typeflag: regular file
  block.write("ustar\0", 257, "ascii");
  block.write("00", 263, "ascii");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return block;
}

/** Builds the archive: header + content padded to 512 per file, then two zero blocks. */
export function ustar(files: readonly TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(header(file), Buffer.from(file.content));
    const pad = (BLOCK - (file.content.length % BLOCK)) % BLOCK;
    parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
