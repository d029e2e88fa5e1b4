import type { HostFs } from "../node/host-fs.ts";
import type { Certificate } from "../pki/certificate.ts";
import { goAppendCertsFromPEM } from "../pki/read-bundle.ts";
import type { AppliedRecord, Journal } from "../plan/journal.ts";
import { sha256Hex } from "../plan/plan.ts";

/**
 * What regtrust installed for one registry, read from its journal (plan/journal.ts),
 * never guessed from file names: a CA someone else put in certs.d is not ours to
 * retire. The journal is the record of every trust run, so the set is a fold over
 * the target's `trust` records in apply order: an additive run adds its anchors,
 * a `--replace` run (meta.replace) makes the set exactly its anchors.
 */
export interface InstalledAnchors {
  /** The anchors regtrust currently holds installed for the registry, in install order. */
  current: Certificate[];
  /** SHA-256 (Certificate.sha256 form) of every anchor regtrust ever installed for it. */
  ever: Set<string>;
  /** Node paths of the CA files regtrust owns for the registry and that still hold what it wrote. */
  ownedFiles: string[];
}

/** Recorded in a trust record's meta: the anchors it installed (comma-joined sha256) and whether it replaced. */
export const META_ANCHORS = "anchors";
export const META_REPLACE = "replace";

export function installedAnchors(journal: Journal, registry: string, fs: HostFs): InstalledAnchors {
  const records = journal.records.filter((r) => r.target === registry && r.action === "trust");
  const byHash = new Map<string, Certificate>();
  for (const record of records) for (const cert of recordCerts(record)) byHash.set(cert.sha256, cert);
  let current: string[] = [];
  for (const record of records) {
    const anchors = recordAnchors(record);
    current =
      record.meta[META_REPLACE] === "true"
        ? anchors
        : [...current, ...anchors.filter((a) => !current.includes(a))];
  }
  return {
    current: current.map((sha) => byHash.get(sha)).filter((c): c is Certificate => c !== undefined),
    ever: new Set(byHash.keys()),
    ownedFiles: ownedCaFiles(records, fs),
  };
}

/** The anchors a record installed: its meta, or (records written before rotation existed) its CA files. */
function recordAnchors(record: AppliedRecord): string[] {
  const listed = record.meta[META_ANCHORS];
  if (listed !== undefined) return listed === "" ? [] : listed.split(",");
  return [...new Set(recordCerts(record).map((c) => c.sha256))];
}

function recordCerts(record: AppliedRecord): Certificate[] {
  return record.changes
    .filter((c) => c.owner === "regtrust" && c.path.endsWith(".crt") && c.after.type === "file")
    .flatMap((c) =>
      c.after.type === "file"
        ? goAppendCertsFromPEM(new Uint8Array(Buffer.from(c.after.content, "base64")))
        : [],
    );
}

/**
 * CA files the latest record touching them left as a regtrust-owned file, and
 * that still hold exactly those bytes (a file someone has since replaced is
 * not regtrust's to delete).
 */
function ownedCaFiles(records: readonly AppliedRecord[], fs: HostFs): string[] {
  const last = new Map<string, string | null>();
  for (const record of records) {
    for (const change of record.changes) {
      if (!change.path.endsWith(".crt")) continue;
      const owned = change.owner === "regtrust" && change.after.type === "file";
      last.set(change.path, owned && change.after.type === "file" ? change.after.sha256 : null);
    }
  }
  return [...last]
    .filter(([path, sha]) => sha !== null && currentSha(fs, path) === sha)
    .map(([path]) => path);
}

function currentSha(fs: HostFs, path: string): string | null {
  try {
    const bytes = fs.readFile(path);
    if (bytes === null) return null;
    return sha256Hex(bytes);
  } catch {
    return null;
  }
}
