/**
 * The release under test: REGTRUST_RELEASE_DIR (scripts/test-release.sh runs
 * `npm run release` first), its file names, and the arm64 executable run
 * under qemu-aarch64-static (Debian's qemu-user-static, user mode, no binfmt)
 * with a sysroot made of the shared libraries of the release's own arm64
 * image — only the libraries: qemu's -L also redirects every absolute path
 * the program opens (/etc/hosts, the trust store) to the sysroot when the
 * file exists there, and those must stay the host's.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Artifact } from "../../artifact/artifact.ts";
import type { TempDirs } from "../../support/tmp.ts";

export const REPO = resolve(import.meta.dirname, "../../..");
export const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string })
  .version;

export function releaseDir(): string {
  const dir = resolve(REPO, process.env.REGTRUST_RELEASE_DIR ?? "release");
  if (!existsSync(join(dir, "SHA256SUMS"))) {
    throw new Error(`${dir} holds no release: run \`npm run release\` (scripts/test-release.sh does) first`);
  }
  return dir;
}

export const releaseFile = (suffix: string): string => join(releaseDir(), `regtrust-${VERSION}${suffix}`);
export const executable = (arch: string): string => releaseFile(`-linux-${arch}`);
export const imageArchive = (arch: string): string => releaseFile(`-linux-${arch}.oci.tar`);
export const indexArchive = (): string => releaseFile(".oci.tar");

export interface OciLayout {
  dir: string;
  index: {
    manifests: {
      digest: string;
      platform?: { architecture: string };
      annotations?: Record<string, string>;
    }[];
  };
  blob(digest: string): Buffer;
  json<T>(digest: string): T;
}

/** Unpacks an oci-archive (a tar of an OCI image layout) into a fresh directory. */
export async function unpackLayout(archive: string, dirs: TempDirs): Promise<OciLayout> {
  const dir = await dirs.make("oci-layout");
  execFileSync("tar", ["-xf", archive, "-C", dir], { timeout: 120_000 });
  const blob = (digest: string) => readFileSync(join(dir, "blobs", ...digest.split(":")));
  return {
    dir,
    index: JSON.parse(readFileSync(join(dir, "index.json"), "utf8")),
    blob,
    json: <T>(digest: string) => JSON.parse(blob(digest).toString("utf8")) as T,
  };
}

export interface ImageManifest {
  config: { digest: string };
  layers: { digest: string; mediaType: string }[];
}

/** The arm64 image's base layer's shared libraries (glibc, libstdc++, the loader), extracted for qemu -L. */
export async function arm64Sysroot(dirs: TempDirs): Promise<string> {
  const layout = await unpackLayout(imageArchive("arm64"), dirs);
  const manifest = layout.json<ImageManifest>(layout.index.manifests[0]!.digest);
  const base = join(layout.dir, "blobs", ...manifest.layers[0]!.digest.split(":"));
  const root = await dirs.make("arm64-sysroot");
  await mkdir(root, { recursive: true });
  const members = ["./lib", "./usr/lib/ld-linux-aarch64.so.1", "./usr/lib/aarch64-linux-gnu"];
  execFileSync("tar", ["-xzf", base, "-C", root, ...members], { timeout: 120_000 });
  return root;
}

/**
 * A release executable installed the way the README's Install section says: `regtrust` taken out of
 * regtrust-<v>-linux-<arch>.tar.gz and installed with mode 0755 into <prefix>/bin.
 */
export async function installFromArchive(arch: string, dirs: TempDirs): Promise<string> {
  const prefix = await dirs.make(`install-${arch}`);
  const extract = join(prefix, "extract");
  await mkdir(join(prefix, "bin"), { recursive: true });
  await mkdir(extract);
  execFileSync("tar", ["-xzf", releaseFile(`-linux-${arch}.tar.gz`), "-C", extract, "regtrust"], {
    timeout: 120_000,
  });
  execFileSync("install", ["-m", "0755", join(extract, "regtrust"), join(prefix, "bin", "regtrust")]);
  return join(prefix, "bin", "regtrust");
}

/** An arm64 executable (by default the release's bare one) as an artifact the artifact tier's runner runs, under qemu. */
export function arm64Artifact(sysroot: string, file = executable("arm64")): Artifact {
  return {
    label: `${file.startsWith(REPO) ? file.slice(REPO.length + 1) : file} under qemu-aarch64-static`,
    command: "qemu-aarch64-static",
    prefix: ["-L", sysroot, file],
    file,
  };
}

/** ELF e_machine (EM_X86_64 62, EM_AARCH64 183) of a file. */
export function elfMachine(file: string): number {
  const head = readFileSync(file).subarray(0, 20);
  if (head.toString("latin1", 0, 4) !== "\x7fELF") throw new Error(`${file} is not ELF`);
  return head.readUInt16LE(18);
}
