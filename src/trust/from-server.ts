import { InputError, UsageError } from "../core/errors.ts";
import type { Certificate } from "../pki/certificate.ts";

/**
 * `trust --from-server`: the anchor is taken from the handshake, which an
 * attacker in the middle controls, so it is trusted only when its SHA-256
 * matches a fingerprint the operator got out of band (docs/principles.md: trusting a
 * certificate fetched from the network needs a pinned fingerprint).
 */

/** `AB:CD:…`, `abcd…`, any case, with or without colons → 64 lower-case hex digits. */
export function normaliseFingerprint(text: string): string {
  const hex = text
    .trim()
    .replace(/^sha256[:=]/i, "")
    .replace(/[:\s]/g, "")
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new UsageError(
      `--expect-fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional), got "${text}"`,
    );
  }
  return hex;
}

export function fingerprintHex(cert: Certificate): string {
  return cert.sha256.replace(/:/g, "").toLowerCase();
}

/** The self-signed certificate at the top of what the server sent, if it sent its root. */
export function presentedRoot(presented: readonly Certificate[]): Certificate | null {
  const top = presented[presented.length - 1];
  return top && presented.length > 0 && top.selfSigned ? top : null;
}

/** One line per sent certificate, for the operator to compare with what they got out of band. */
export function describePresented(presented: readonly Certificate[]): string[] {
  return presented.map(
    (cert, i) =>
      `  #${i + 1} ${cert.subject}${cert.selfSigned ? " (self-signed)" : ""}\n      SHA256 ${cert.sha256}`,
  );
}

export type PinOutcome = { ok: true; root: Certificate } | { ok: false; exit: 1 | 2; message: string };

/** Picks the presented root and checks it against the pin. */
export function pinnedRoot(
  presented: readonly Certificate[],
  expected: string | undefined,
  registry: string,
): PinOutcome {
  if (presented.length === 0)
    throw new InputError(`${registry} sent no certificate; --from-server needs a TLS registry`);
  const listing = describePresented(presented).join("\n");
  if (expected === undefined) {
    return {
      ok: false,
      exit: 2,
      message:
        `--from-server needs --expect-fingerprint: trusting whatever the network sends is a man-in-the-middle hole.\n` +
        `${registry} sent:\n${listing}\nCompare the root's fingerprint with one obtained out of band, then pass it.`,
    };
  }
  const want = normaliseFingerprint(expected);
  const root = presentedRoot(presented);
  if (!root) {
    return {
      ok: false,
      exit: 1,
      message: `${registry} does not send its root (the top of what it sent is not self-signed); get the CA file and use --ca.\n${listing}`,
    };
  }
  if (fingerprintHex(root) !== want) {
    return {
      ok: false,
      exit: 1,
      message: `the root ${registry} sent does not match --expect-fingerprint; nothing was changed.\n${listing}`,
    };
  }
  return { ok: true, root };
}
