import { type Finding, finding } from "../findings/finding.ts";
import type { HostFs } from "../node/host-fs.ts";
import type { PlaintextCredential } from "../node/types.ts";
import { at, where } from "./context.ts";

const CREDENTIALS_CODE = "plaintext-credentials";

/**
 * Registry secrets stored in plain text in a node config file. The value is
 * never read into the report: only the key path, the line and the file mode.
 * A group- or world-readable file is worse: any local user can read the secret.
 */
export function credentialFindings(
  fs: HostFs,
  runtime: string,
  credentials: readonly PlaintextCredential[],
): Finding[] {
  return credentials.map((c) => {
    const mode = modeOf(fs, c.file);
    const exposed = mode !== null && (mode & 0o044) !== 0;
    const modeText = mode === null ? "mode unknown" : `mode ${mode.toString(8).padStart(4, "0")}`;
    return finding(
      CREDENTIALS_CODE,
      exposed ? "error" : "warning",
      `${runtime} keeps a registry secret in plain text: ${c.key} at ${where(c.file, c.line)} (${modeText}${exposed ? ", readable by other users" : ""}).`,
      {
        ...at(c.file, c.line),
        contexts: [runtime],
        evidence: [`key: ${c.key}`, modeText],
        fix: [
          ...(exposed ? [`chmod 0600 ${c.file}`] : []),
          "Use a credential provider (kubelet image credential provider or imagePullSecrets) instead of a secret in the runtime config",
        ],
      },
    );
  });
}

export function modeOf(fs: HostFs, path: string): number | null {
  try {
    return fs.stat(path)?.mode ?? null;
  } catch {
    return null;
  }
}
