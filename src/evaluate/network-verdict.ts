import type { Finding } from "../findings/finding.ts";

/** Why the node never got to certificate checks, as data plus the runtime-style error line. */
export interface NetworkVerdict {
  finding: Finding;
  /** What a Go runtime would print (kubelet event tail), e.g. "dial tcp …: connect: connection refused". */
  runtimeError: string;
}
