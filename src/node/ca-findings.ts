import { type Finding, finding } from "../findings/finding.ts";
import { isMissing } from "./trust-source.ts";
import type { TrustSource } from "./types.ts";

export interface CaFailure {
  /** Runtime name as the operator knows it: "containerd", "k3s", "docker", … */
  runtime: string;
  registry: string;
  /** What the runtime does with an unreadable CA file, e.g. `fails the pull: unable to read CA cert "…"`. */
  consequence: string;
}

/**
 * A configured CA file the runtime cannot read. Whether its content is a
 * usable certificate is the caller's question (it has the bytes); here we
 * only know it is absent or unreadable.
 */
export function caFileFindings(sources: readonly TrustSource[], failure: CaFailure): Finding[] {
  return sources
    .filter((s) => s.bytes === null)
    .map((s) => (isMissing(s) ? missing(s, failure) : unreadable(s, failure)));
}

function where(source: TrustSource): { file?: string; line?: number; at: string } {
  if (!source.declaredIn) return { file: source.path, at: "" };
  const { file, line } = source.declaredIn;
  return { file, ...(line ? { line } : {}), at: ` (set at ${file}${line ? `:${line}` : ""})` };
}

function missing(source: TrustSource, failure: CaFailure): Finding {
  const loc = where(source);
  return finding(
    "ca-file-missing",
    "error",
    `The CA file ${source.path}${loc.at} does not exist; ${failure.runtime} ${failure.consequence}.`,
    {
      ...(loc.file ? { file: loc.file } : {}),
      ...(loc.line ? { line: loc.line } : {}),
      evidence: [`${source.origin}: ${source.path}: ${source.readError}`],
      fix: [
        `regtrust trust ${failure.registry} --ca <registry-root-ca.pem>`,
        `or copy the registry's CA certificate (PEM) to ${source.path}${loc.file && loc.file !== source.path ? `, or correct the path in ${loc.file}` : ""}`,
      ],
    },
  );
}

function unreadable(source: TrustSource, failure: CaFailure): Finding {
  const loc = where(source);
  const outsideRoot = /outside the node root/.test(source.readError ?? "");
  return finding(
    "ca-file-unusable",
    outsideRoot ? "warning" : "error",
    outsideRoot
      ? `The CA file ${source.path}${loc.at} is a symlink leading outside the node root; regtrust did not follow it, so it cannot say what ${failure.runtime} loads from it.`
      : `The CA file ${source.path}${loc.at} cannot be read (${source.readError}); ${failure.runtime} ${failure.consequence}.`,
    {
      ...(loc.file ? { file: loc.file } : {}),
      ...(loc.line ? { line: loc.line } : {}),
      evidence: [`${source.origin}: ${source.path}: ${source.readError}`],
      fix: outsideRoot
        ? [
            `Replace the symlink with the CA file itself: cp --remove-destination "$(readlink -f ${source.path})" ${source.path}`,
          ]
        : [
            `Make ${source.path} a readable PEM file (chmod 0644 ${source.path}), or: regtrust trust ${failure.registry} --ca <registry-root-ca.pem>`,
          ],
    },
  );
}
