/**
 * A minimal valid OCI image, built in pure Node and pushed with the real
 * skopeo. Layout per opencontainers/image-spec image-layout.md: `oci-layout`,
 * `index.json`, and blobs under `blobs/sha256/`; one gzip'd tar layer.
 * The config's os/architecture match this machine because containerd's CRI
 * pull unpacks only for the host platform.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { skopeoIsolation } from "./skopeo.ts";
import { makeTempDir, removeTempDir } from "./tmp.ts";
import { ustar } from "./ustar.ts";

export interface PushImageOptions {
  /** host:port as clients address it, e.g. repo.example.com:40123. */
  registry: string;
  repository: string;
  tag: string;
  /** Directory of `*.crt` CA files (containers/image --dest-cert-dir semantics). */
  certDir?: string;
  /** Default true; false also allows plain HTTP. */
  tlsVerify?: boolean;
  /** For an htpasswd registry. */
  credentials?: { user: string; password: string };
  /** Text of the one file in the layer; vary it to get distinct digests. */
  content?: string;
  timeoutMs?: number;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export function goArch(arch: string): string {
  const map: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    arm: "arm",
    ppc64: "ppc64le",
    s390x: "s390x",
  };
  return map[arch] ?? arch;
}

export async function writeBlob(dir: string, mediaType: string, data: Uint8Array): Promise<Descriptor> {
  const digest = sha256(data);
  await writeFile(join(dir, "blobs", "sha256", digest.slice("sha256:".length)), data);
  return { mediaType, digest, size: data.length };
}

/** Writes an OCI layout with one image tagged `tag`; returns the manifest descriptor. */
export async function writeOciLayout(dir: string, tag: string, content: string): Promise<Descriptor> {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  const tar = ustar([{ name: "hello.txt", content: Buffer.from(content) }]);
  const layer = await writeBlob(dir, "application/vnd.oci.image.layer.v1.tar+gzip", gzipSync(tar));
  const imageConfig = {
    architecture: goArch(process.arch),
    os: "linux",
    config: { Cmd: ["/hello.txt"] },
    rootfs: { type: "layers", diff_ids: [sha256(tar)] },
  };
  const config = await writeBlob(
    dir,
    "application/vnd.oci.image.config.v1+json",
    Buffer.from(JSON.stringify(imageConfig)),
  );
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] };
  const manifestDesc = await writeBlob(dir, OCI_MANIFEST, Buffer.from(JSON.stringify(manifest)));
  const index = {
    schemaVersion: 2,
    manifests: [{ ...manifestDesc, annotations: { "org.opencontainers.image.ref.name": tag } }],
  };
  await writeFile(join(dir, "index.json"), JSON.stringify(index));
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  return manifestDesc;
}

/** Builds the image and `skopeo copy`s it to docker://registry/repository:tag; returns the pushed digest. */
export async function pushTestImage(opts: PushImageOptions): Promise<{ digest: string }> {
  const dir = await makeTempDir("oci");
  try {
    const layoutDir = join(dir, "layout");
    await writeOciLayout(
      layoutDir,
      opts.tag,
      opts.content ?? `regtrust test image ${opts.repository}:${opts.tag}\n`,
    );
    const skopeo = await skopeoIsolation(
      dir,
      opts.credentials && { registry: opts.registry, ...opts.credentials },
    );
    const digestFile = join(dir, "digest");
    const destination = `docker://${opts.registry}/${opts.repository}:${opts.tag}`;
    const argv = [
      ...skopeo.globalArgs,
      "copy",
      "--policy",
      skopeo.policyFile,
      "--digestfile",
      digestFile,
      ...destinationTlsArgs(opts),
      ...(opts.credentials ? ["--dest-authfile", skopeo.authFile] : []),
      `oci:${layoutDir}:${opts.tag}`,
      destination,
    ];
    const result = await skopeo.run(argv, opts.timeoutMs ?? 60_000);
    if (result.code !== 0) {
      throw new Error(`skopeo copy to ${destination} failed (exit ${result.code}): ${result.stderr.trim()}`);
    }
    return { digest: (await readFile(digestFile, "utf8")).trim() };
  } finally {
    await removeTempDir(dir);
  }
}

function destinationTlsArgs(opts: PushImageOptions): string[] {
  const args = [`--dest-tls-verify=${opts.tlsVerify ?? true}`];
  if (opts.certDir) args.push("--dest-cert-dir", opts.certDir);
  return args;
}
