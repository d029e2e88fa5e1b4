import { InputError } from "../core/errors.ts";
import { canonicalImage, parseImageRef } from "../k8s/triage/image-ref.ts";
import { parseTarget } from "../target/parse-target.ts";
import type { Target } from "../target/target.ts";
import type { ScanEntry } from "./scan-input.ts";

/**
 * Entries → targets, one per registry: the runtimes key their trust on the
 * registry (host[:port]), so two images on one registry share one verdict.
 * The first entry naming a registry is the one diagnosed.
 */
export function scanTargets(entries: readonly ScanEntry[], name: string): Target[] {
  const byRegistry = new Map<string, Target>();
  for (const entry of entries) {
    let target: Target;
    try {
      target = entry.line === null ? imageTarget(entry.text) : parseTarget(entry.text);
    } catch (error) {
      const where = entry.line === null ? name : `${name}:${entry.line}`;
      throw new InputError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!byRegistry.has(target.registry)) byRegistry.set(target.registry, target);
  }
  return [...byRegistry.values()];
}

/**
 * A manifest's `image:` is always an image reference: `nginx` is Docker Hub's
 * library/nginx, never a host called nginx (as a bare word on a line would be).
 * The input stays as written so the result names what the manifest said.
 */
function imageTarget(text: string): Target {
  const ref = parseImageRef(text);
  return { ...parseTarget(ref ? canonicalImage(ref) : text), input: text };
}
