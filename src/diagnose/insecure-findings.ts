import type { ContextVerdict } from "../evaluate/evaluate-context.ts";
import { type Finding, finding } from "../findings/finding.ts";
import type { InsecureSetting } from "../node/types.ts";

export interface InsecureInputs {
  registry: string;
  verdicts: readonly ContextVerdict[];
  /** The handshake completed and certificates arrived: only then do pulls "work" despite the override. */
  tlsOk: boolean;
  now: Date;
  /** Expiry of `regtrust insecure` overrides from the journal (for files that cannot hold a marker, e.g. daemon.json). */
  journalExpiry: string | null;
}

/**
 * One `insecure-skip-verify` finding per context that skips verification.
 * The override outlives any CA installed next to it (the runtime verifies
 * nothing while it is there), so the fix removes the override and keeps the
 * CA (`regtrust trust … --remove-insecure`), never `untrust`, which would
 * remove the CA too. An override past the expiry regtrust gave it is an error,
 * as in `regtrust audit`.
 */
export function insecureFindings(inputs: InsecureInputs): Finding[] {
  const out: Finding[] = [];
  for (const verdict of inputs.verdicts) {
    const setting = verdict.context.insecure;
    if (setting) out.push(insecureFinding(inputs, verdict, setting));
  }
  return out;
}

/** Settings that are runtime defaults, not lines in a file (containerd's loopback rule, dockerd's 127.0.0.0/8). */
export function isBuiltInOverride(setting: InsecureSetting): boolean {
  return setting.setting.includes("built-in");
}

function insecureFinding(inputs: InsecureInputs, verdict: ContextVerdict, setting: InsecureSetting): Finding {
  const name = verdict.context.name;
  const registry = inputs.registry;
  const verifiesWithout = verdict.verify?.ok === true;
  const effect = inputs.tlsOk
    ? "pulls work, but anyone on the path can impersonate the registry"
    : "it would not check the registry's certificate, although pulls fail now for the reason above";
  const result = verdict.verify;
  const evidence =
    result === null
      ? []
      : [
          result.ok
            ? "The chain verifies without it."
            : `Without it the pull would fail: ${result.error.message}`,
        ];
  if (isBuiltInOverride(setting)) {
    return finding(
      "insecure-skip-verify",
      "warning",
      `${name} skips certificate verification for ${registry} by a built-in rule (${setting.setting}): ${effect}.`,
      {
        contexts: [name],
        evidence,
        fix: [
          `Nothing in a file turns it off: to have ${name} verify, pull through a name that is not a loopback address (map it in /etc/hosts) and trust its CA: regtrust trust <name:port> --ca <root.pem>`,
        ],
      },
    );
  }
  const expiresAt = setting.expiresAt ?? inputs.journalExpiry;
  const expired = expiresAt !== null && Date.parse(expiresAt) <= inputs.now.getTime();
  const expiry =
    expiresAt === null
      ? ""
      : expired
        ? ` regtrust insecure set it to expire at ${expiresAt}, which has passed; it stays in force until it is removed.`
        : ` It was set by regtrust insecure and expires at ${expiresAt}.`;
  return finding(
    "insecure-skip-verify",
    expired ? "error" : "warning",
    `${name} skips certificate verification for ${registry} (${setting.setting}): ${effect}.${expiry}`,
    {
      contexts: [name],
      file: setting.file,
      ...(setting.line ? { line: setting.line } : {}),
      evidence,
      fix: [
        verifiesWithout
          ? `regtrust trust ${registry} --remove-insecure   # removes ${setting.setting} from ${setting.file}, keeps the CA`
          : `regtrust trust ${registry} --ca <root.pem> --remove-insecure   # installs the CA, then removes ${setting.setting} from ${setting.file}`,
      ],
    },
  );
}
