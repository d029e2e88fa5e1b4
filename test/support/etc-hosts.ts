/**
 * Test host names in /etc/hosts. containerd treats `localhost` and loopback
 * names and IPs as "plain HTTP allowed, skip verify" (containerd
 * core/remotes/docker/config/hosts.go), so TLS tests need real-looking names
 * that resolve to loopback addresses. Lines we add end with MARKER.
 *
 * Several test processes may call this at once, so the read-modify-write runs
 * under an O_EXCL lock file. New lines are appended (a concurrent reader, e.g.
 * Go's resolver re-reading /etc/hosts, never sees a truncated file); only a
 * conflicting line of ours is rewritten, via temp file + rename.
 */
import { appendFile, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export const MARKER = "# regtrust-test";

/**
 * The names the integration tests use. Distinct loopback IPs let a test run a
 * server on :443 for one name without colliding with another.
 */
export const TEST_HOSTS = {
  "repo.example.com": "127.0.0.1",
  "auth.example.com": "127.0.0.2",
  "other.example.com": "127.0.0.3",
  "mirror.example.com": "127.0.0.4",
} as const satisfies Record<string, string>;

export interface HostsFileOptions {
  /** Defaults to /etc/hosts; the self-test points this at a temp file. */
  path?: string;
  lockTimeoutMs?: number;
}

/** Adds `name → ip` lines that are missing; returns the names it added or changed. */
export async function ensureHostsEntries(
  map: Readonly<Record<string, string>>,
  opts: HostsFileOptions = {},
): Promise<string[]> {
  const path = opts.path ?? "/etc/hosts";
  return withLock(`${path}.regtrust-lock`, opts.lockTimeoutMs ?? 10_000, async () => {
    const original = await readFile(path, "utf8");
    const lines = original.split("\n");
    const changed: string[] = [];
    const appended: string[] = [];
    let rewrite = false;
    for (const [name, ip] of Object.entries(map)) {
      const current = resolveInLines(lines, name);
      if (current?.ip === ip) continue;
      if (current !== undefined && !current.ours) {
        throw new Error(`${path}: ${name} already maps to ${current.ip} (not a ${MARKER} line); want ${ip}`);
      }
      if (current !== undefined) {
        lines[current.index] = entryLine(ip, name);
        rewrite = true;
      } else {
        appended.push(entryLine(ip, name));
      }
      changed.push(name);
    }
    if (rewrite) await replaceFile(path, joinWithAppended(lines, appended));
    else if (appended.length > 0) await appendLines(path, original, appended);
    return changed;
  });
}

/** Installs TEST_HOSTS into /etc/hosts (what integration tests call in `before`). */
export function ensureTestHosts(opts: HostsFileOptions = {}): Promise<string[]> {
  return ensureHostsEntries(TEST_HOSTS, opts);
}

function entryLine(ip: string, name: string): string {
  return `${ip} ${name} ${MARKER}`;
}

/** The first line naming `name` wins, as in glibc and Go's hosts-file lookup. */
function resolveInLines(
  lines: string[],
  name: string,
): { ip: string; ours: boolean; index: number } | undefined {
  for (const [index, line] of lines.entries()) {
    const ours = line.includes(MARKER);
    const fields = line.replace(/#.*/, "").trim().split(/\s+/);
    const [ip, ...names] = fields;
    if (ip !== undefined && names.some((n) => n.toLowerCase() === name.toLowerCase())) {
      return { ip, ours, index };
    }
  }
  return undefined;
}

async function appendLines(path: string, original: string, appended: string[]): Promise<void> {
  const separator = original === "" || original.endsWith("\n") ? "" : "\n";
  await appendFile(path, separator + appended.map((l) => `${l}\n`).join(""));
}

function joinWithAppended(lines: string[], appended: string[]): string {
  const body = lines.join("\n").replace(/\n*$/, "\n");
  return appended.length === 0 ? body : `${body}${appended.join("\n")}\n`;
}

/**
 * temp + rename; containers often bind-mount /etc/hosts, where rename fails
 * (EBUSY/EXDEV), so fall back to an in-place write there.
 */
async function replaceFile(path: string, content: string): Promise<void> {
  const temp = `${path}.regtrust-tmp-${process.pid}`;
  const { mode } = await stat(path);
  await writeFile(temp, content, { mode });
  try {
    await rename(temp, path);
  } catch {
    await unlink(temp).catch(() => undefined);
    await writeFile(path, content);
  }
}

/** A lock older than this is left over from a killed process and may be broken. */
const STALE_LOCK_MS = 30_000;

async function withLock<T>(lockPath: string, timeoutMs: number, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      await breakStaleLock(lockPath);
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for lock ${lockPath}`);
      await sleep(20 + Math.random() * 30);
    }
  }
  try {
    return await body();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function breakStaleLock(lockPath: string): Promise<void> {
  try {
    const { mtimeMs } = await stat(lockPath);
    if (Date.now() - mtimeMs > STALE_LOCK_MS) await unlink(lockPath);
  } catch {
    // Already released by its owner.
  }
}
