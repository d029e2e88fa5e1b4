import { readFile } from "node:fs/promises";
import { resolveUnderRoot } from "./safe-path.ts";

/**
 * What a refresh command (the OS store's `update-ca-certificates`, …) needs
 * before it may run for the node at a root.
 *
 * Its inputs must exist under the root. Debian's update-ca-certificates
 * (ca-certificates 20230311+deb12u1, /usr/sbin/update-ca-certificates) does
 * not stop when /etc/ca-certificates.conf or /usr/share/ca-certificates is
 * missing: an absent conf sets `fresh=1`, its `sed … "$CERTSCONF" | while`
 * fails inside a pipeline `sh -e` ignores, and it writes
 * /etc/ssl/certs/ca-certificates.crt from /usr/local/share/ca-certificates
 * alone: every public root gone, exit 0. Seen on a DaemonSet's /host, which
 * mounts only some directories of the node.
 */
export async function missingInputs(root: string, inputs: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const input of inputs) {
    const resolved = await resolveUnderRoot(root, input, "follow").catch(() => null);
    if (!resolved?.stat) missing.push(input);
  }
  return missing;
}

/**
 * Mount points at or below `root` (from /proc/self/mountinfo): a root with
 * any is a view of another system's filesystem (the node's `/` or some of its
 * directories mounted into a pod), not a tree that lies here. This machine's
 * tool, run on such a root with directory options, writes links that point at
 * paths of this machine (`/host/usr/share/ca-certificates/…`), which do not
 * exist on the node.
 */
export async function mountPointsAt(root: string, mountinfo = "/proc/self/mountinfo"): Promise<string[]> {
  const text = await readFile(mountinfo, "utf8").catch(() => "");
  const points = text
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((field): field is string => field !== undefined)
    .map(unescapeMountPath);
  const prefix = root.endsWith("/") ? root : `${root}/`;
  return [...new Set(points.filter((p) => p === root || p.startsWith(prefix)))].sort();
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (proc(5)). */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
}
