import type { RegistryEntry } from "./registries-conf.ts";

/** One place containers/image pulls from, in order: mirrors first, then the registry's location. */
export interface PullSource {
  /** The rewritten image reference, e.g. "mirror.example.com/x/app". */
  reference: string;
  insecure: boolean;
}

/**
 * pkg/sysregistriesv2 `PullSourcesFromReference` + `rewriteReference` (5.23.1,
 * checked by test/oracle/cimage-registries.test.ts): each endpoint's location
 * replaces the matched prefix of `ref`; a wildcard entry's own endpoint keeps
 * `ref`. A rewrite that is no valid reference fails the whole pull.
 */
export function pullSources(
  entry: RegistryEntry,
  ref: string,
): { sources: PullSource[] } | { error: string } {
  const matched = matchedLength(ref, entry.prefix);
  const sources: PullSource[] = [];
  for (const endpoint of [...entry.mirrors, { location: entry.location, insecure: entry.insecure }]) {
    const reference = endpoint.location === "" ? ref : endpoint.location + ref.slice(matched);
    if (!isCanonicalReference(reference))
      return { error: `rewriting reference: invalid reference format (${reference})` };
    sources.push({ reference, insecure: endpoint.insecure });
  }
  return { sources };
}

/** `refMatchingPrefix`: the length of `ref` a prefix matches (for "*.example.com", through the host). */
function matchedLength(ref: string, prefix: string): number {
  if (!prefix.startsWith("*.")) return prefix.length;
  const index = ref.indexOf(prefix.slice(1));
  return index < 0 ? 0 : index + prefix.length - 1;
}

const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*";
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(
  `^(${DOMAIN})/${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`,
);

/**
 * docker/reference `ParseNamed`: the distribution reference grammar, and
 * canonical — the first component must be a domain (has "." or ":", or is
 * "localhost"), or normalisation would put it under docker.io.
 */
export function isCanonicalReference(reference: string): boolean {
  const m = REFERENCE.exec(reference);
  if (!m) return false;
  const domain = m[1] as string;
  return domain.includes(".") || domain.includes(":") || domain === "localhost";
}
