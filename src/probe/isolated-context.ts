import { createSecureContext, type SecureContext } from "node:tls";

/**
 * A trust store holding one certificate that can issue nothing real.
 *
 * Node's `getPeerCertificate(true)` completes the peer's chain from the
 * SSL_CTX store (src/crypto/crypto_common.cc, GetLastIssuedCert): without a
 * `ca`, that store is Node's bundled roots, and a root the server never sent
 * would show up as if it had been presented. With this placeholder as the
 * only store entry, nothing can be added except the placeholder itself,
 * which `peerChainFallback` drops by fingerprint. It also spares loading the
 * ~140 bundled roots, which we never verify against here (trust is judged
 * later, per runtime).
 *
 * Generated once, key discarded, never used to sign anything:
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
 *     -keyout /dev/null -days 36500 \
 *     -subj "/CN=regtrust probe store placeholder (key discarded)"
 */
export const PLACEHOLDER_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBzDCCAXOgAwIBAgIUDF4ZvLdRZ2qIPdDeiP/LpLgjAQUwCgYIKoZIzj0EAwIw
OzE5MDcGA1UEAwwwcmVndHJ1c3QgcHJvYmUgc3RvcmUgcGxhY2Vob2xkZXIgKGtl
eSBkaXNjYXJkZWQpMCAXDTI2MTEyODE2MTg1N1oYDzIxMjYxMTA0MTYxODU3WjA7
MTkwNwYDVQQDDDByZWd0cnVzdCBwcm9iZSBzdG9yZSBwbGFjZWhvbGRlciAoa2V5
IGRpc2NhcmRlZCkwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASsGNRn7OHtlnlo
nI00aakWgJJQTPhpzb1M51nOuCYHFyJ4R8iBnZxd5s3OHTTkntx3MgKkRVuPotmf
uzVAhwAwo1MwUTAdBgNVHQ4EFgQUx3ADA2dn/lpkbdJxDkwiLhlLDYEwHwYDVR0j
BBgwFoAUx3ADA2dn/lpkbdJxDkwiLhlLDYEwDwYDVR0TAQH/BAUwAwEB/zAKBggq
hkjOPQQDAgNHADBEAiBEd2DVL25sD6his2/dBo4GGAoOquMWhPj5BO/gYxKrMgIg
Co42oAdzNLz+FNZDZPSiVOi589Z+kw0f0/eDcCdV/t8=
-----END CERTIFICATE-----
`;

/** `openssl x509 -noout -fingerprint -sha256` of the placeholder, in Node's fingerprint256 spelling. */
export const PLACEHOLDER_CA_SHA256 =
  "D0:8F:AE:36:73:6D:3A:09:62:F8:74:EF:76:9C:19:0D:AE:D7:46:8D:D5:9B:AF:3D:34:FE:12:8F:28:8E:0D:46";

let shared: SecureContext | null = null;

/** One context for every probe connection, built on first use. */
export function isolatedSecureContext(): SecureContext {
  shared ??= createSecureContext({ ca: PLACEHOLDER_CA_PEM });
  return shared;
}
