import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/**
 * The one way regtrust reads a file it did not create this run: open without
 * blocking and without following a final symlink, check what was opened (not
 * what a path named a moment earlier), and read at most `maxBytes`.
 *
 * - O_NONBLOCK: open(2) of a FIFO with no writer blocks forever without it;
 *   with it the open returns at once and fstat says "FIFO", which is refused.
 * - fstat on the descriptor: a path swapped between a stat and the open
 *   cannot slip a device or a directory past the check.
 * - Reading stops at `maxBytes + 1` whatever st_size said, so a file that
 *   grows while read (or a sparse one) is still bounded.
 * - O_NOFOLLOW only with `finalSymlink: "refuse"`: callers that resolved the
 *   path under the root themselves (host-fs.ts) hand in a path without links.
 */

/** Config files and CA bundles are small; a bigger file is not what we are looking for. */
export const MAX_NODE_FILE_BYTES = 64 * 1024 * 1024;

export type BoundedReadFailure = "missing" | "symlink" | "directory" | "not-regular" | "too-large" | "errno";

export class BoundedReadError extends Error {
  override name = "BoundedReadError";
  constructor(
    readonly failure: BoundedReadFailure,
    readonly hostPath: string,
    /** What is wrong, for a message that names the file: "is a FIFO, socket or device". */
    readonly detail: string,
    /** The errno code for `errno` (EACCES, ELOOP, …) and `missing` (ENOENT, ENOTDIR). */
    readonly code: string | null = null,
  ) {
    super(`${hostPath}: ${detail}`);
  }
}

export interface BoundedReadOptions {
  maxBytes?: number;
  /** "refuse": a symlink at the last component is an error (regtrust's own state files). */
  finalSymlink?: "follow" | "refuse";
}

const READ_CHUNK = 64 * 1024;
/** Small enough to come from Node's shared Buffer pool. */
const EOF_PROBE = 256;

/** Reads a regular file of at most `maxBytes`; throws BoundedReadError for anything else. */
export function readRegularFile(hostPath: string, opts: BoundedReadOptions = {}): Buffer {
  const maxBytes = opts.maxBytes ?? MAX_NODE_FILE_BYTES;
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (opts.finalSymlink === "refuse" ? constants.O_NOFOLLOW : 0);
  let fd: number;
  try {
    fd = openSync(hostPath, flags);
  } catch (error) {
    throw openFailure(hostPath, error, opts.finalSymlink === "refuse");
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new BoundedReadError("directory", hostPath, "is a directory, not a file");
    if (!st.isFile())
      throw new BoundedReadError("not-regular", hostPath, "is not a regular file (FIFO, socket or device)");
    if (st.size > maxBytes) throw tooLarge(hostPath, maxBytes);
    return readAtMost(fd, hostPath, maxBytes, st.size);
  } finally {
    closeSync(fd);
  }
}

function readAtMost(fd: number, hostPath: string, maxBytes: number, sizeHint: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  // One byte past st_size, so a file read whole comes back as a short read; the read that
  // confirms EOF then takes a small pooled buffer. A fixed 64 KiB first chunk cost a fresh
  // allocation per file: ~10 MiB of garbage for a 150-file /etc/ssl/certs (issue #18).
  let want = sizeHint > 0 ? sizeHint + 1 : READ_CHUNK;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(want, maxBytes + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw tooLarge(hostPath, maxBytes);
    chunks.push(chunk.subarray(0, n));
    // Short: (almost certainly) at EOF, confirm with a small read; full: the file grew, read on.
    want = n < chunk.length ? EOF_PROBE : READ_CHUNK;
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

function tooLarge(hostPath: string, maxBytes: number): BoundedReadError {
  return new BoundedReadError("too-large", hostPath, `is larger than ${maxBytes} bytes; not read`);
}

function openFailure(hostPath: string, error: unknown, refuseSymlink: boolean): BoundedReadError {
  const code = (error as NodeJS.ErrnoException).code ?? null;
  if (code === "ENOENT" || code === "ENOTDIR")
    return new BoundedReadError("missing", hostPath, "does not exist", code);
  // open(2) with O_NOFOLLOW fails with ELOOP when the last component is a symlink.
  if (code === "ELOOP" && refuseSymlink)
    return new BoundedReadError("symlink", hostPath, "is a symlink; not followed", code);
  if (code === "ENXIO")
    // A FIFO opened O_RDONLY|O_NONBLOCK does not fail; a UNIX socket does (ENXIO).
    return new BoundedReadError(
      "not-regular",
      hostPath,
      "is not a regular file (FIFO, socket or device)",
      code,
    );
  const message = error instanceof Error ? error.message.split(",")[0] : String(error);
  return new BoundedReadError("errno", hostPath, message ?? String(error), code);
}
