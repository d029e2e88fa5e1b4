/**
 * MIME multipart/mixed user-data (RFC 2046 §5.1), the form EC2 launch
 * templates take for EKS managed node groups and Karpenter's EC2NodeClass
 * on AL2023, and that cloud-init splits into parts. The preamble (text
 * before the first boundary) is ignored by MIME readers (RFC 2046 §5.1.1);
 * regtrust puts its explanation there.
 */
export interface MimePart {
  contentType: string;
  body: string;
}

export function mimeMultipart(parts: readonly MimePart[], preamble: readonly string[]): string {
  const boundary = boundaryFor(parts);
  const lines = [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    ...preamble,
  ];
  for (const part of parts) {
    lines.push(`--${boundary}`, `Content-Type: ${part.contentType}`, "", part.body.replace(/\n$/, ""));
  }
  lines.push(`--${boundary}--`, "");
  return lines.join("\n");
}

/** A boundary no part contains (RFC 2046: it must not occur in the encapsulated text). */
function boundaryFor(parts: readonly MimePart[]): string {
  let boundary = "REGTRUST-BOUNDARY";
  while (parts.some((p) => p.body.includes(boundary))) boundary += "-X";
  return boundary;
}
