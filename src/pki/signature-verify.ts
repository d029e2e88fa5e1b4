import { constants, createPublicKey, type KeyObject, verify } from "node:crypto";
import { DEFAULT_GO_RULES, type GoRules } from "./go-rules.ts";
import type { SignatureAlgorithmInfo } from "./signature-algorithm.ts";

/**
 * Go's checkSignature (crypto/x509/x509.go, Go 1.19–1.23) on top of node:crypto:
 * the same order of checks and the same error texts, because those texts end
 * up inside "possibly because of %q" hints that users paste into searches.
 */

export type SignatureErrorKind =
  | "insecure-algorithm"
  | "unsupported-algorithm"
  | "key-mismatch"
  | "bad-signature"
  | "weak-key"
  | "not-authorized-to-sign";

export interface SignatureError {
  kind: SignatureErrorKind;
  /** Go's error text. */
  message: string;
}

export interface SignerKey {
  goAlgorithm: "RSA" | "DSA" | "ECDSA" | "Ed25519" | null;
  keyObject: () => KeyObject | null;
}

/** x509.go ErrUnsupportedAlgorithm. */
export const UNSUPPORTED: SignatureError = {
  kind: "unsupported-algorithm",
  message: "x509: cannot verify signature: algorithm unimplemented",
};

/** x509.go InsecureAlgorithmError.Error (the GODEBUG hint exists from Go 1.18 until 1.23). */
export function insecureAlgorithm(name: string, rules: GoRules = DEFAULT_GO_RULES): SignatureError {
  const sha1 = name === "SHA1-RSA" || name === "ECDSA-SHA1";
  const override = sha1 && rules.sha1GodebugHint ? " (temporarily override with GODEBUG=x509sha1=1)" : "";
  return {
    kind: "insecure-algorithm",
    message: `x509: cannot verify signature: insecure algorithm ${name}${override}`,
  };
}

/** %T of the Go key types. */
const GO_KEY_TYPE = {
  RSA: "*rsa.PublicKey",
  ECDSA: "*ecdsa.PublicKey",
  Ed25519: "ed25519.PublicKey",
  DSA: "*dsa.PublicKey",
} as const;

function keyMismatch(expected: string, actual: keyof typeof GO_KEY_TYPE): SignatureError {
  return {
    kind: "key-mismatch",
    message: `x509: signature algorithm specifies an ${expected} public key, but have public key of type ${GO_KEY_TYPE[actual]}`,
  };
}

const FAILURE_TEXT = {
  RSA: "crypto/rsa: verification error",
  ECDSA: "x509: ECDSA verification failure",
  Ed25519: "x509: Ed25519 verification failure",
} as const;

const HASH_LENGTH = { sha256: 32, sha384: 48, sha512: 64 } as const;

/** Parses an SPKI once; null when node cannot load it. */
export function loadSpki(spki: Uint8Array): KeyObject | null {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  } catch {
    return null;
  }
}

/**
 * `policy: "go"` applies Go's algorithm rules; `"crypto"` only asks whether the
 * signature is mathematically valid (used for the model's `selfSigned`, so an old
 * SHA-1 self-signed root still reads as self-signed).
 */
export function checkSignature(
  alg: SignatureAlgorithmInfo,
  signed: Uint8Array,
  signature: Uint8Array,
  signer: SignerKey,
  policy: "go" | "crypto" = "go",
  rules: GoRules = DEFAULT_GO_RULES,
): SignatureError | null {
  if (!alg.known) return UNSUPPORTED;
  if (alg.hash === null && alg.keyAlgorithm !== "Ed25519") return UNSUPPORTED;
  if (policy === "go" && (alg.hash === "md5" || alg.hash === "sha1"))
    return insecureAlgorithm(alg.name, rules);
  const actual = signer.goAlgorithm;
  // Go has no DSA case in its key switch since 1.16: falls through to ErrUnsupportedAlgorithm.
  if (actual === null || actual === "DSA") return UNSUPPORTED;
  if (alg.keyAlgorithm !== actual) return keyMismatch(alg.keyAlgorithm ?? "", actual);
  const key = signer.keyObject();
  if (!key) return UNSUPPORTED;
  if (policy === "go" && actual === "RSA") {
    const tooSmall = rsaKeyTooSmall(key, rules);
    if (tooSmall) return tooSmall;
  }
  return verifyWithNode(alg, signed, signature, key, actual)
    ? null
    : { kind: "bad-signature", message: FAILURE_TEXT[actual] };
}

/** crypto/rsa checkKeySize (Go ≥ 1.24, rsa1024min): verification refuses keys below 1024 bits. */
function rsaKeyTooSmall(key: KeyObject, rules: GoRules): SignatureError | null {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (rules.rsaMinimumBits === 0 || bits >= rules.rsaMinimumBits) return null;
  return {
    kind: "weak-key",
    message: `crypto/rsa: ${bits}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)`,
  };
}

function verifyWithNode(
  alg: SignatureAlgorithmInfo,
  signed: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
  keyType: "RSA" | "ECDSA" | "Ed25519",
): boolean {
  try {
    if (keyType === "Ed25519") return verify(null, signed, key, signature);
    const hash = alg.hash!;
    if (keyType === "ECDSA") return verify(hash, signed, key, signature);
    if (alg.pss) {
      // rsa.PSSSaltLengthEqualsHash
      const saltLength = HASH_LENGTH[hash as keyof typeof HASH_LENGTH];
      return verify(hash, signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
    }
    return verify(hash, signed, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}
