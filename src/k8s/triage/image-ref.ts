/**
 * Image names as Kubernetes shows them (pod spec `image`, node
 * `status.images[].names`, container `imageID`) reduced to one canonical
 * form so they can be compared. Mirrors distribution/reference
 * (normalize.go `ParseNormalizedNamed`, `TagNameOnly`): the first path
 * component is a registry only if it contains "." or ":", is "localhost" or
 * has upper-case letters; otherwise the image lives on docker.io, and a
 * one-component docker.io name gets "library/". No tag and no digest means
 * ":latest". Lenient on purpose: a name we cannot read is simply no match.
 */
export interface ImageRef {
  /** host[:port], "docker.io" for Docker Hub. */
  registry: string;
  repository: string;
  tag: string | null;
  digest: string | null;
}

const DOCKER_HUB = "docker.io";
const HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
/** What runtimes put in front of `imageID` (dockershim, cri-dockerd). */
const IMAGE_ID_SCHEME = /^[a-z-]+:\/\//;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-f]{32,}$/i;

export function parseImageRef(text: string): ImageRef | null {
  const name = text.trim().replace(IMAGE_ID_SCHEME, "");
  if (name === "" || /\s/.test(name)) return null;
  const at = name.indexOf("@");
  const digest = at >= 0 ? name.slice(at + 1) : null;
  if (digest !== null && !DIGEST.test(digest)) return null;
  const named = at >= 0 ? name.slice(0, at) : name;
  const { registry, remainder } = splitRegistry(named);
  const colon = remainder.lastIndexOf(":");
  const repository = colon >= 0 ? remainder.slice(0, colon) : remainder;
  const tag = colon >= 0 ? remainder.slice(colon + 1) : null;
  if (repository === "" || tag === "") return null;
  const repo = registry === DOCKER_HUB && !repository.includes("/") ? `library/${repository}` : repository;
  return { registry, repository: repo, tag: tag ?? (digest ? null : "latest"), digest };
}

function splitRegistry(named: string): { registry: string; remainder: string } {
  const slash = named.indexOf("/");
  const first = slash >= 0 ? named.slice(0, slash) : "";
  const isRegistry =
    slash >= 0 &&
    (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
  if (!isRegistry) return { registry: DOCKER_HUB, remainder: named };
  const registry = HUB_ALIASES.has(first.toLowerCase()) ? DOCKER_HUB : first.toLowerCase();
  return { registry, remainder: named.slice(slash + 1) };
}

/** `registry/repository:tag`, or null for a digest-only reference. */
export function repoTagOf(ref: ImageRef): string | null {
  return ref.tag === null ? null : `${ref.registry}/${ref.repository}:${ref.tag}`;
}

/** `registry/repository@digest`, or null without a digest. */
export function repoDigestOf(ref: ImageRef): string | null {
  return ref.digest === null ? null : `${ref.registry}/${ref.repository}@${ref.digest}`;
}

/** The canonical spelling: `docker.io/library/nginx:1.27`, `repo:5000/app@sha256:…`. */
export function canonicalImage(ref: ImageRef): string {
  const base = `${ref.registry}/${ref.repository}`;
  if (ref.digest) return ref.tag ? `${base}:${ref.tag}@${ref.digest}` : `${base}@${ref.digest}`;
  return `${base}:${ref.tag ?? "latest"}`;
}

/** Keys under which an image is known: its repo:tag and its repo@digest. */
export function imageKeys(text: string): string[] {
  const ref = parseImageRef(text);
  if (!ref) return [];
  return [repoTagOf(ref), repoDigestOf(ref)].filter((k): k is string => k !== null);
}

/** The registry an image is pulled from (host[:port]), or null when the name does not parse. */
export function registryOfImage(text: string): string | null {
  return parseImageRef(text)?.registry ?? null;
}
