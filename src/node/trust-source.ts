import { type HostFs, HostFsError } from "./host-fs.ts";
import type { TrustSource } from "./types.ts";

/**
 * Reads one CA file for a trust pool. A file that is missing or cannot be
 * read stays in the list with `bytes: null` and the reason, so the caller can
 * say which configured file the runtime would fail on.
 */
export function readTrustSource(
  fs: HostFs,
  path: string,
  origin: string,
  declaredIn: TrustSource["declaredIn"] = null,
): TrustSource {
  try {
    const bytes = fs.readFile(path);
    if (bytes === null)
      return { path, bytes: null, readError: "no such file or directory", origin, declaredIn };
    return { path, bytes: new Uint8Array(bytes), readError: null, origin, declaredIn };
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    return { path, bytes: null, readError: reasonText(error), origin, declaredIn };
  }
}

function reasonText(error: HostFsError): string {
  // The message starts with the node path; the reason alone reads better next to it.
  const prefix = `${error.nodePath}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/** Whether the read failed because the file is not there (vs. unreadable). */
export function isMissing(source: TrustSource): boolean {
  return source.bytes === null && source.readError === "no such file or directory";
}
