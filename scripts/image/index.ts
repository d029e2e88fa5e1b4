/**
 * The multi-architecture image: one `oci-archive` (a tar of an OCI image
 * layout, image-spec image-layout.md) holding every blob of the per-arch
 * archives buildImage() wrote, plus an image index (image-spec
 * image-index.md, `application/vnd.oci.image.index.v1+json`) that names each
 * image's manifest with its platform. The layout's index.json tags that
 * index with the version (`org.opencontainers.image.ref.name`,
 * image-spec annotations.md), so
 *   skopeo copy --all oci-archive:<archive>:<version> docker://REGISTRY/regtrust:<version>
 * pushes the index and both images, and a node pulls the image for its own
 * platform.
 *
 * Deterministic: the same per-arch archives give the same bytes (fixed JSON
 * key order, manifests in architecture order, tar members sorted, owned by
 * root, with a fixed mtime and modes).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { BuiltImage } from "./build.ts";
import { publish } from "./publish.ts";
import { runTool } from "./run-tool.ts";

export const INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
export const MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
const REF_NAME = "org.opencontainers.image.ref.name";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface BuiltIndex {
  archive: string;
  /** The index's tag inside the layout (oci-archive:<archive>:<tag>): the version. */
  tag: string;
  indexDigest: string;
  manifests: { arch: string; digest: string; platform: Platform }[];
  sizeBytes: number;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export function defaultIndexArchive(version: string): string {
  return resolve("build", "image", `regtrust-${version}-linux-multiarch.oci.tar`);
}

/**
 * The platform an index names an image by. image-spec image-index.md lists
 * `variant` for CPU variants; arm64 images carry `v8`, as Docker Official
 * Images' indexes do. Runtimes match it either way: containerd's
 * platforms.Normalize turns arm64/v8 into arm64 (platforms/database.go,
 * containerd 1.6.20), and containers/image (skopeo, CRI-O) adds v8 to the
 * variants an arm64 machine accepts (WantedPlatforms,
 * internal/pkg/platform/platform_matcher.go, containers/image 5.23.1).
 */
export function platformOf(config: { os: string; architecture: string }): Platform {
  const platform: Platform = { os: config.os, architecture: config.architecture };
  if (config.architecture === "arm64") platform.variant = "v8";
  return platform;
}

export async function buildImageIndex(images: readonly BuiltImage[], out: string): Promise<BuiltIndex> {
  const versions = new Set(images.map((i) => i.version));
  if (images.length === 0 || versions.size !== 1) {
    throw new Error(`an index needs images of one version (got ${[...versions].join(", ") || "none"})`);
  }
  const tag = images[0]!.version;
  const archive = resolve(out);
  await mkdir(dirname(archive), { recursive: true });
  const work = await mkdtemp(join(dirname(archive), ".index-"));
  try {
    const layout = join(work, "layout");
    const blobs = join(layout, "blobs", "sha256");
    await mkdir(blobs, { recursive: true });
    const entries: { arch: string; descriptor: Descriptor }[] = [];
    for (const image of [...images].sort((a, b) => a.arch.localeCompare(b.arch))) {
      entries.push({ arch: image.arch, descriptor: await importImage(image, work, blobs) });
    }
    const index = {
      schemaVersion: 2,
      mediaType: INDEX_MEDIA_TYPE,
      manifests: entries.map((e) => e.descriptor),
    };
    const indexDescriptor = await writeBlob(blobs, INDEX_MEDIA_TYPE, index);
    await writeFile(join(layout, "oci-layout"), `${JSON.stringify({ imageLayoutVersion: "1.0.0" })}`);
    const top = {
      schemaVersion: 2,
      mediaType: INDEX_MEDIA_TYPE,
      manifests: [{ ...indexDescriptor, annotations: { [REF_NAME]: tag } }],
    };
    await writeFile(join(layout, "index.json"), JSON.stringify(top));
    const tmpArchive = join(work, "index.oci.tar");
    await tarLayout(layout, tmpArchive);
    const sizeBytes = (await stat(tmpArchive)).size;
    await publishOver(tmpArchive, archive);
    return {
      archive,
      tag,
      indexDigest: indexDescriptor.digest,
      manifests: entries.map((e) => ({
        arch: e.arch,
        digest: e.descriptor.digest,
        platform: e.descriptor.platform!,
      })),
      sizeBytes,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Unpacks one per-arch archive, copies its blobs, returns its manifest's descriptor with the platform. */
async function importImage(image: BuiltImage, work: string, blobs: string): Promise<Descriptor> {
  const dir = join(work, `image-${image.arch}`);
  await mkdir(dir);
  await runTool(["tar", "-xf", image.archive, "-C", dir], { timeoutMs: 5 * 60_000 });
  const layoutIndex = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as {
    manifests: Descriptor[];
  };
  const found = layoutIndex.manifests.find((m) => m.annotations?.[REF_NAME] === image.tag);
  if (!found) throw new Error(`${image.archive}: no manifest tagged ${image.tag} in its index.json`);
  if (found.digest !== image.manifestDigest) {
    throw new Error(`${image.archive}: manifest ${found.digest} is not the built ${image.manifestDigest}`);
  }
  const manifest = JSON.parse(await readBlob(dir, found.digest)) as { config: Descriptor };
  const config = JSON.parse(await readBlob(dir, manifest.config.digest)) as {
    os: string;
    architecture: string;
  };
  if (config.architecture !== image.arch) {
    throw new Error(`${image.archive}: its config says ${config.architecture}, built as ${image.arch}`);
  }
  const source = join(dir, "blobs", "sha256");
  for (const name of (await readdir(source)).sort()) {
    if (!existsSync(join(blobs, name))) await copyFile(join(source, name), join(blobs, name));
  }
  await rm(dir, { recursive: true, force: true });
  return {
    mediaType: MANIFEST_MEDIA_TYPE,
    digest: found.digest,
    size: found.size,
    platform: platformOf(config),
  };
}

async function readBlob(layout: string, digest: string): Promise<string> {
  return readFile(join(layout, "blobs", ...digest.split(":")), "utf8");
}

async function writeBlob(blobs: string, mediaType: string, value: unknown): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(value));
  const hex = createHash("sha256").update(bytes).digest("hex");
  await writeFile(join(blobs, hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

async function tarLayout(layout: string, archive: string): Promise<void> {
  await runTool(
    [
      "tar",
      "--sort=name",
      "--format=gnu",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--mode=u=rwX,go=rX",
      "-C",
      layout,
      "-cf",
      archive,
      ".",
    ],
    { timeoutMs: 10 * 60_000 },
  );
}

/** publish() keeps an existing file (a concurrent build's); an index is rebuilt on request, so replace it. */
async function publishOver(tmp: string, final: string): Promise<void> {
  await rm(final, { force: true });
  await publish(tmp, final);
}
