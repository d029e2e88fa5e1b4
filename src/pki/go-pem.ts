/**
 * Go's encoding/pem.Decode, byte for byte in behaviour, because the runtimes load CA
 * files through it (CertPool.AppendCertsFromPEM). Quirks that matter here:
 * a block must start at the beginning of the data or right after "\n" (so a UTF-8
 * BOM hides the first block), headers are "Key: value" lines, the END line must
 * repeat the type, and the base64 must be strictly valid or the block is skipped.
 * Operates on a latin1 string so indices equal byte offsets.
 */

export interface GoPemBlock {
  type: string;
  headers: Record<string, string>;
  bytes: Uint8Array;
}

const PEM_START = "\n-----BEGIN ";
const PEM_END = "\n-----END ";
const PEM_END_OF_LINE = "-----";

/** getLine: the line without trailing " \t\r", and the index after its "\n". */
function getLine(data: string, from: number): { line: string; next: number } {
  const nl = data.indexOf("\n", from);
  const lineEnd = nl < 0 ? data.length : nl;
  let end = lineEnd;
  while (end > from && (data[end - 1] === " " || data[end - 1] === "\t" || data[end - 1] === "\r")) end--;
  return { line: data.slice(from, end), next: nl < 0 ? data.length : nl + 1 };
}

/** base64.StdEncoding.Decode after removeSpacesAndTabs: "\r" and "\n" are skipped, padding is required. */
function decodeStrictBase64(text: string): Uint8Array | null {
  const compact = text.replace(/[ \t\r\n]+/g, "");
  if (compact.length % 4 !== 0 || /[^A-Za-z0-9+/=]/.test(compact)) return null;
  const pad = compact.indexOf("=");
  if (pad >= 0 && (pad < compact.length - 2 || (pad === compact.length - 2 && compact[pad + 1] !== "="))) {
    return null;
  }
  const decoded = Buffer.from(compact, "base64");
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}

function findStart(data: string, from: number): number {
  if (data.startsWith(PEM_START.slice(1), from)) return from + PEM_START.length - 1;
  const at = data.indexOf(PEM_START, from);
  return at < 0 ? -1 : at + PEM_START.length;
}

/** One pem.Decode step: the next block and where the rest starts, or null. */
export function goPemDecode(data: string, from: number): { block: GoPemBlock; rest: number } | null {
  let rest = from;
  for (;;) {
    const start = findStart(data, rest);
    if (start < 0) return null;
    const typeLine = getLine(data, start);
    rest = typeLine.next;
    if (!typeLine.line.endsWith(PEM_END_OF_LINE)) continue;
    const type = typeLine.line.slice(0, -PEM_END_OF_LINE.length);
    const headers: Record<string, string> = {};
    let headerCount = 0;
    for (;;) {
      if (rest >= data.length) return null;
      const { line, next } = getLine(data, rest);
      const colon = line.indexOf(":");
      if (colon < 0) break;
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      headerCount++;
      rest = next;
    }
    let endIndex: number;
    let endTrailer: number;
    if (headerCount === 0 && data.startsWith(PEM_END.slice(1), rest)) {
      endIndex = rest;
      endTrailer = rest + PEM_END.length - 1;
    } else {
      endIndex = data.indexOf(PEM_END, rest);
      endTrailer = endIndex + PEM_END.length;
    }
    if (endIndex < 0) continue;
    const trailer = data.slice(endTrailer, endTrailer + type.length + PEM_END_OF_LINE.length);
    if (trailer !== type + PEM_END_OF_LINE) continue;
    if (getLine(data, endTrailer + trailer.length).line.length !== 0) continue;
    const bytes = decodeStrictBase64(data.slice(rest, endIndex));
    if (!bytes) continue;
    return { block: { type, headers, bytes }, rest: getLine(data, endIndex + PEM_END.length - 1).next };
  }
}

/** Every block pem.Decode would return, in order. */
export function goPemBlocks(data: string): GoPemBlock[] {
  const blocks: GoPemBlock[] = [];
  let at = 0;
  while (at < data.length) {
    const step = goPemDecode(data, at);
    if (!step) break;
    blocks.push(step.block);
    at = step.rest;
  }
  return blocks;
}
