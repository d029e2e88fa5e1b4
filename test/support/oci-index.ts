/**
 * A tiny multi-arch image: an OCI image index (image-spec image-index.md) of
 * one linux/amd64 and one linux/arm64/v8 image, each one layer and a config
 * whose `architecture` names its platform, built in pure Node into an OCI
 * layout; and `skopeoCopyAll`, which pushes any OCI layout or archive tag with
 * every platform (`skopeo copy --all`), for the release images as well.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type Descriptor, sha256, writeBlob } from "./oci-image.ts";
import { skopeoIsolation } from "./skopeo.ts";
import { makeTempDir, removeTempDir } from "./tmp.ts";
import { ustar } from "./ustar.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

export interface OciPlatform {
  os: "linux";
  architecture: string;
  variant?: string;
}

export const INDEX_PLATFORMS: readonly OciPlatform[] = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm64", variant: "v8" },
];

export interface PlatformImage {
  platform: OciPlatform;
  manifest: Descriptor;
  /** The config digest: what a CRI PullImage returns as image_ref for this platform. */
  configDigest: string;
}

export interface OciIndexLayout {
  index: Descriptor;
  images: PlatformImage[];
}

/** Writes one platform's layer, config and manifest blobs; returns the manifest descriptor. */
async function writePlatformImage(dir: string, platform: OciPlatform, tag: string): Promise<PlatformImage> {
  const label = [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
  const tar = ustar([{ name: "platform.txt", content: Buffer.from(`${tag} for ${label}\n`) }]);
  const layer = await writeBlob(dir, "application/vnd.oci.image.layer.v1.tar+gzip", gzipSync(tar));
  const imageConfig = {
    ...platform,
    config: { Cmd: ["/platform.txt"] },
    rootfs: { type: "layers", diff_ids: [sha256(tar)] },
  };
  const config = await writeBlob(
    dir,
    "application/vnd.oci.image.config.v1+json",
    Buffer.from(JSON.stringify(imageConfig)),
  );
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] };
  const manifestDesc = await writeBlob(dir, OCI_MANIFEST, Buffer.from(JSON.stringify(manifest)));
  return { platform, manifest: manifestDesc, configDigest: config.digest };
}

const REF_NAME = "org.opencontainers.image.ref.name";

/** Points `tag` in the layout's index.json at `desc`, keeping the layout's other tags. */
async function addLayoutTag(dir: string, tag: string, desc: Descriptor): Promise<void> {
  const file = join(dir, "index.json");
  let manifests: { annotations?: Record<string, string> }[] = [];
  try {
    manifests = (JSON.parse(await readFile(file, "utf8")) as { manifests: typeof manifests }).manifests;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const others = manifests.filter((m) => m.annotations?.[REF_NAME] !== tag);
  const entry = { ...desc, annotations: { [REF_NAME]: tag } };
  await writeFile(file, JSON.stringify({ schemaVersion: 2, manifests: [...others, entry] }));
}

/** Writes (or adds to) an OCI layout whose `tag` names an image index over `platforms` (default amd64 + arm64/v8). */
export async function writeOciIndexLayout(
  dir: string,
  tag: string,
  platforms: readonly OciPlatform[] = INDEX_PLATFORMS,
): Promise<OciIndexLayout> {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  const images: PlatformImage[] = [];
  for (const platform of platforms) images.push(await writePlatformImage(dir, platform, tag));
  const imageIndex = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((i) => ({ ...i.manifest, platform: i.platform })),
  };
  const index = await writeBlob(dir, OCI_INDEX, Buffer.from(JSON.stringify(imageIndex)));
  await addLayoutTag(dir, tag, index);
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  return { index, images };
}

/**
 * Tars an OCI layout into an `oci-archive:` file (containers-transports(5): a
 * tar of the layout directory), the form release archives take.
 */
export async function writeOciArchive(layoutDir: string, archiveFile: string): Promise<void> {
  const names = await readdir(layoutDir, { recursive: true, withFileTypes: true });
  const files = await Promise.all(
    names
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const full = join(entry.parentPath, entry.name);
        return { name: full.slice(layoutDir.length + 1), content: await readFile(full) };
      }),
  );
  await writeFile(archiveFile, ustar(files.sort((a, b) => a.name.localeCompare(b.name))));
}

export interface CopyAllOptions {
  /**
   * containers-transports(5) source: `oci:<layout dir>:<tag>` or
   * `oci-archive:<tar file>:<tag>` (what the release writes).
   */
  source: string;
  /** docker://host:port/repository:tag, or without the docker:// prefix. */
  destination: string;
  /** Directory of `*.crt` CA files for the registry (containers-certs.d(5)). */
  certDir?: string;
  timeoutMs?: number;
}

/** `skopeo copy --all` (every platform of an index, index digest kept); returns the pushed digest. */
export async function skopeoCopyAll(opts: CopyAllOptions): Promise<{ digest: string }> {
  const destination = opts.destination.startsWith("docker://")
    ? opts.destination
    : `docker://${opts.destination}`;
  const dir = await makeTempDir("skopeo-all");
  try {
    const skopeo = await skopeoIsolation(dir);
    const digestFile = join(dir, "digest");
    const argv = [...skopeo.globalArgs, "copy", "--all", "--policy", skopeo.policyFile];
    argv.push("--digestfile", digestFile, "--dest-tls-verify=true");
    if (opts.certDir) argv.push("--dest-cert-dir", opts.certDir);
    argv.push(opts.source, destination);
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const result = await skopeo.run(argv, timeoutMs);
    if (result.code !== 0) {
      const why = result.timedOut ? `killed after ${timeoutMs} ms` : `exit ${result.code}`;
      throw new Error(
        `skopeo copy --all ${opts.source} to ${destination} failed (${why}): ${result.stderr.trim()}`,
      );
    }
    return { digest: (await readFile(digestFile, "utf8")).trim() };
  } finally {
    await removeTempDir(dir);
  }
}
