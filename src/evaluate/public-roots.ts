import { X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";

let publicSubjects: Set<string> | null = null;

/**
 * Is this distinguished name a root in the Mozilla list Node ships? Used only
 * to word a finding ("public root missing from this store" vs "private CA"),
 * so it is loaded lazily on that failure path.
 */
export function isPublicRootName(subject: string): boolean {
  if (publicSubjects === null) {
    publicSubjects = new Set(rootCertificates.map((pem) => normaliseName(new X509Certificate(pem).subject)));
  }
  return publicSubjects.has(normaliseName(subject));
}

/** Node prints names one RDN per line; our model joins them with ", ". Compare order-insensitively. */
function normaliseName(name: string): string {
  return name
    .split(/\n|,\s*(?=[A-Za-z.0-9]+=)/)
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean)
    .sort()
    .join("|");
}
