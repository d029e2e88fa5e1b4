import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { HostFs } from "../host-fs.ts";

/** One entry of a throwaway node tree: file content, a symlink, or an empty directory. */
export type NodeEntry = string | Uint8Array | { symlink: string } | { dir: true };

export interface TestNode {
  root: string;
  fs: HostFs;
  cleanup(): void;
}

/**
 * Builds a node filesystem under a fresh temp dir from node-absolute paths,
 * so tests exercise real files, directories and symlinks (no fs mocks).
 */
export function makeNodeRoot(entries: Record<string, NodeEntry>): TestNode {
  const root = mkdtempSync(join(tmpdir(), "regtrust-node-"));
  for (const [nodePath, entry] of Object.entries(entries)) {
    const host = join(root, nodePath);
    if (typeof entry === "object" && "dir" in entry) {
      mkdirSync(host, { recursive: true });
      continue;
    }
    mkdirSync(dirname(host), { recursive: true });
    if (typeof entry === "object" && "symlink" in entry) symlinkSync(entry.symlink, host);
    else writeFileSync(host, entry);
  }
  return { root, fs: new HostFs(root), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
