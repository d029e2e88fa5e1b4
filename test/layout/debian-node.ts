/**
 * A realistic Debian node root for the layout tests: this machine's real OS
 * trust store copied whole (the Mozilla bundle under
 * /usr/share/ca-certificates, /etc/ca-certificates.conf, the local CAs, and
 * /etc/ssl/certs with its `.pem` links, hash links and ca-certificates.crt, as
 * Debian's own update-ca-certificates left them), containerd with certs.d, or
 * k3s with a registries.yaml.
 *
 * The node's programs are this machine's (Debian 12, merged /usr): /usr/bin,
 * /usr/sbin, /usr/lib, /usr/lib64 and /dev stay empty directories here and are
 * bind-mounted read-only by pod-layout.ts inside a private mount namespace,
 * so `chroot <node> update-ca-certificates` runs the node's own tool.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { promisify } from "node:util";
import { CONTAINERD_CONFIG_WITH_CONFIG_PATH } from "../integration/node-root.ts";
import type { TempDirs } from "../support/tmp.ts";

const run = promisify(execFile);

/** Directories of the node that are this machine's, mounted in the namespace (pod-layout.ts). */
export const SYSTEM_BINDS = ["/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/dev"] as const;

/** A registries.yaml as an operator left it: a mirror regtrust must keep. */
export const K3S_REGISTRIES = `mirrors:
  docker.io:
    endpoint:
      - "https://mirror.internal.example:5000"
`;

/** An unrelated registry's hosts.toml that must survive untouched. */
const MIRROR_HOSTS_TOML = `server = "https://registry-1.docker.io"

[host."https://mirror.internal.example:5000"]
  capabilities = ["pull", "resolve"]
`;

export type NodeVariant = "containerd" | "k3s";

/** The node root with its OS store; `variant` adds the runtime's configuration (writeRuntime), null none. */
export async function buildDebianNode(dirs: TempDirs, variant: NodeVariant | null): Promise<string> {
  const node = await dirs.make(`layout-node-${variant ?? "store"}`);
  // The store as this machine has it, links and all (`cp -a` keeps symlinks as symlinks).
  for (const dir of ["/etc/ssl", "/usr/share", "/usr/local/share", "/etc/ca-certificates"]) {
    await mkdir(join(node, dir), { recursive: true });
  }
  await run("cp", ["-a", "/etc/ssl/certs", join(node, "/etc/ssl/")], { timeout: 30_000 });
  await run("cp", ["-a", "/usr/share/ca-certificates", join(node, "/usr/share/")], { timeout: 30_000 });
  await run("cp", ["-a", "/usr/local/share/ca-certificates", join(node, "/usr/local/share/")]);
  await run("cp", ["-a", "/etc/ca-certificates.conf", join(node, "/etc/")]);
  await run("cp", ["-L", "/etc/os-release", join(node, "/etc/")]);
  // openssl reads /usr/lib/ssl/openssl.cnf -> /etc/ssl/openssl.cnf; no hooks (Java) on this node.
  await run("cp", ["-a", "/etc/ssl/openssl.cnf", join(node, "/etc/ssl/")]);
  await mkdir(join(node, "/etc/ca-certificates/update.d"));
  for (const dir of [...SYSTEM_BINDS, "/var/lib", "/root"]) await mkdir(join(node, dir), { recursive: true });
  await mkdir(join(node, "/tmp"), { mode: 0o1777 });
  for (const [link, target] of [
    ["/bin", "usr/bin"],
    ["/sbin", "usr/sbin"],
    ["/lib", "usr/lib"],
    ["/lib64", "usr/lib64"],
  ] as const) {
    await symlink(target, join(node, link));
  }
  if (variant !== null) await writeRuntime(node, variant);
  return node;
}

/** containerd's config and an unrelated certs.d entry, or k3s's registries.yaml with a mirror. */
export async function writeRuntime(node: string, variant: NodeVariant): Promise<void> {
  const files: Record<string, string> =
    variant === "containerd"
      ? {
          "/etc/containerd/config.toml": CONTAINERD_CONFIG_WITH_CONFIG_PATH,
          "/etc/containerd/certs.d/docker.io/hosts.toml": MIRROR_HOSTS_TOML,
        }
      : { "/etc/rancher/k3s/registries.yaml": K3S_REGISTRIES };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(node, path)), { recursive: true });
    await writeFile(join(node, path), content);
  }
}

/**
 * Every entry under a node directory: `link <target>` (as written, not
 * followed), `file <mode> <sha256>` or `dir <mode>`. Equal snapshots mean
 * byte-for-byte equal content, links included.
 */
export async function snapshot(node: string, nodeDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    const full = join(node, nodeDir, rel);
    const st = await lstat(full).catch(() => null);
    if (st === null) return;
    const key = rel === "" ? "." : rel;
    if (st.isSymbolicLink()) out[key] = `link ${await readlink(full)}`;
    else if (st.isDirectory()) {
      out[key] = `dir ${(st.mode & 0o7777).toString(8)}`;
      for (const name of (await readdir(full)).sort()) await walk(rel === "" ? name : `${rel}/${name}`);
    } else {
      const hash = createHash("sha256")
        .update(await readFile(full))
        .digest("hex");
      out[key] = `file ${(st.mode & 0o7777).toString(8)} ${hash}`;
    }
  };
  await walk("");
  return out;
}

/**
 * Follows `nodePath` the way the node itself would (absolute link targets are
 * node paths, relative ones are relative to the link's directory) and returns
 * the node path it ends at, or null when it does not exist on the node.
 */
export async function resolveOnNode(node: string, nodePath: string): Promise<string | null> {
  let path = posix.normalize(nodePath);
  for (let hops = 0; hops < 40; hops++) {
    const parts = path.split("/").filter((p) => p !== "");
    let prefix = "";
    let relinked = false;
    for (const [i, part] of parts.entries()) {
      prefix = `${prefix}/${part}`;
      const st = await lstat(join(node, prefix)).catch(() => null);
      if (st === null) return null;
      if (st.isSymbolicLink()) {
        const target = await readlink(join(node, prefix));
        const base = target.startsWith("/") ? target : posix.join(posix.dirname(prefix), target);
        path = posix.normalize([base, ...parts.slice(i + 1)].join("/"));
        relinked = true;
        break;
      }
    }
    if (!relinked) return path;
  }
  return null;
}

/** PEM blocks of a bundle, normalised, in order. */
export function pemBlocks(text: string): string[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) =>
    m[0].replace(/\r/g, ""),
  );
}
