/**
 * What the layout tests require of everything regtrust leaves on a node:
 * links and paths inside written files are node paths that exist on the node
 * (never the pod's /host or the stand-in container directory), and inside the
 * directories the pod mounted.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { resolveOnNode } from "./debian-node.ts";

/** regtrust's own journal records what ran where (the pod's argv); it is state, not configuration the node follows. */
const OWN_STATE = "var/lib/regtrust";

/** Node-absolute paths quoted or assigned in configuration text (TOML, YAML, PEM headers). */
const NODE_PATH = /(?<=^|["'\s=:])\/(?:etc|usr|var|opt|run|root)\/[^\s"',\]}]+/gm;

/** Entries of two snapshots (debian-node.ts) that differ, as node paths relative to `/`. */
export function changedEntries(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

/** Every symlink under `dir` (a node directory) resolves on the node and names no container path. */
export async function assertLinksOnNode(
  node: string,
  container: string,
  snap: Record<string, string>,
  dir: string,
): Promise<void> {
  for (const [rel, entry] of Object.entries(snap)) {
    if (!entry.startsWith("link ")) continue;
    const target = entry.slice(5);
    assert.ok(!target.includes(container) && !target.startsWith("/host/"), `${dir}/${rel} -> ${target}`);
    const resolved = await resolveOnNode(node, `${dir}/${rel}`);
    assert.ok(resolved !== null, `${dir}/${rel} -> ${target} does not exist on the node`);
  }
}

/**
 * Each changed regular file (relative to the node's `/`) refers only to node
 * paths that exist on the node and, when `mounted` is given, lie in one of
 * those directories; none names the container's view.
 */
export async function assertReferencesOnNode(
  node: string,
  container: string,
  snapAfter: Record<string, string>,
  changed: readonly string[],
  mounted?: readonly string[],
): Promise<void> {
  for (const rel of changed) {
    if (rel.startsWith(OWN_STATE) || !snapAfter[rel]?.startsWith("file ")) continue;
    const text = await readFile(join(node, rel), "utf8");
    assert.ok(!text.includes(container), `/${rel} names the container directory ${container}`);
    assert.ok(!/(^|["'\s=:])\/host\//m.test(text), `/${rel} names a /host path:\n${text}`);
    for (const path of text.match(NODE_PATH) ?? []) {
      assert.ok((await resolveOnNode(node, path)) !== null, `/${rel} refers to ${path}, absent on the node`);
      if (mounted) {
        assert.ok(
          mounted.some((m) => path === m || path.startsWith(`${m}/`)),
          `/${rel} refers to ${path}, outside the pod's mounts ${mounted.join(", ")}`,
        );
      }
    }
  }
}
