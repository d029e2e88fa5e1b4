/**
 * Throwaway node roots for whole-CLI tests: a Debian-like tree with an OS
 * bundle holding only public roots (Node's bundled Mozilla list), plus
 * whatever runtime configuration a scenario needs.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { rootCertificates } from "node:tls";
import type { TempDirs } from "../support/tmp.ts";

export type NodeFiles = Record<string, string | Uint8Array>;

export const OS_RELEASE_DEBIAN =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

/** containerd 1.6/1.7 config (version 2) with the CRI plugin reading certs.d. */
export const CONTAINERD_CONFIG_WITH_CONFIG_PATH = `version = 2
[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"
`;

export function debianBase(): NodeFiles {
  return {
    "/etc/os-release": OS_RELEASE_DEBIAN,
    "/etc/ssl/certs/ca-certificates.crt": `${rootCertificates.join("\n")}\n`,
  };
}

export function withContainerd(files: NodeFiles = {}): NodeFiles {
  return {
    ...debianBase(),
    "/etc/containerd/config.toml": CONTAINERD_CONFIG_WITH_CONFIG_PATH,
    ...files,
  };
}

export async function buildNodeRoot(dirs: TempDirs, files: NodeFiles): Promise<string> {
  const root = await dirs.make("node");
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
  return root;
}
