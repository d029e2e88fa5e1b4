import type { Certificate } from "./certificate.ts";
import { DEFAULT_GO_RULES, type GoRules } from "./go-rules.ts";
import { internalsOf } from "./parse-certificate.ts";
import { checkSignature, type SignatureError, UNSUPPORTED } from "./signature-verify.ts";

/** x509.go ConstraintViolationError. */
const CONSTRAINT_VIOLATION: SignatureError = {
  kind: "not-authorized-to-sign",
  message: "x509: invalid signature: parent certificate cannot sign this kind of certificate",
};

/**
 * Signature results per Go rules object and (child, parent) pair; chain
 * building asks repeatedly. The rules matter (SHA-1 hint text, RSA key size).
 */
const verified = new WeakMap<GoRules, WeakMap<Certificate, WeakMap<Certificate, SignatureError | null>>>();

function cryptoCheck(child: Certificate, parent: Certificate, rules: GoRules): SignatureError | null {
  let byChild = verified.get(rules);
  if (!byChild) {
    byChild = new WeakMap();
    verified.set(rules, byChild);
  }
  let byParent = byChild.get(child);
  if (!byParent) {
    byParent = new WeakMap();
    byChild.set(child, byParent);
  }
  const cached = byParent.get(parent);
  if (cached !== undefined) return cached;
  const c = internalsOf(child);
  const signer = internalsOf(parent).signer;
  const result = checkSignature(c.signatureAlgorithm, c.tbs, c.signature, signer, "go", rules);
  byParent.set(parent, result);
  return result;
}

/**
 * Go's Certificate.CheckSignatureFrom (crypto/x509/x509.go): the parent must be a
 * CA (RFC 5280 §4.2.1.9; a v3 certificate without basicConstraints cannot sign),
 * must have keyCertSign when it has a keyUsage at all, and must have signed the child
 * with an algorithm Go accepts (no MD5, no SHA-1).
 */
export function checkSignatureFrom(
  child: Certificate,
  parent: Certificate,
  rules: GoRules = DEFAULT_GO_RULES,
): SignatureError | null {
  if (
    (parent.version === 3 && !parent.basicConstraintsValid) ||
    (parent.basicConstraintsValid && !parent.isCA)
  ) {
    return CONSTRAINT_VIOLATION;
  }
  if (parent.keyUsage && parent.keyUsage.length > 0 && !parent.keyUsage.includes("keyCertSign")) {
    return CONSTRAINT_VIOLATION;
  }
  if (internalsOf(parent).publicKey.goAlgorithm === null) return UNSUPPORTED;
  return cryptoCheck(child, parent, rules);
}
