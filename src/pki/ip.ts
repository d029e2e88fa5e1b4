/**
 * IP addresses with Go's net.IP semantics: ParseIP (no zones, no leading-zero octets),
 * String (dotted IPv4, IPv4-mapped IPv6 printed as IPv4, RFC 5952 IPv6) and Equal
 * (a 4-byte address equals its IPv4-mapped 16-byte form).
 */

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseV4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    // Go 1.17+ rejects leading zeros (ambiguous octal).
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function parseV6Groups(text: string): number[] | null {
  if (text === "") return [];
  const groups = text.split(":");
  const out: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (i === groups.length - 1 && g.includes(".")) {
      const v4 = parseV4(g);
      if (!v4) return null;
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(Number.parseInt(g, 16));
    }
  }
  return out;
}

function parseV6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = parseV6Groups(halves[0]!);
  const tail = halves.length === 2 ? parseV6Groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Go's net.ParseIP: 4 bytes for dotted IPv4, 16 for IPv6; null when not an IP. */
export function parseIp(text: string): Uint8Array | null {
  if (text.includes(":")) return parseV6(text);
  const v4 = parseV4(text);
  return v4 ? Uint8Array.from(v4) : null;
}

function isV4Mapped(ip: Uint8Array): boolean {
  return ip.length === 16 && V4_PREFIX.every((b, i) => ip[i] === b);
}

/** Go's net.IP.String. */
export function formatIp(ip: Uint8Array): string {
  if (ip.length === 4) return Array.from(ip).join(".");
  if (ip.length !== 16) return `?${Buffer.from(ip).toString("hex")}`;
  if (isV4Mapped(ip)) return Array.from(ip.subarray(12)).join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  // RFC 5952 §4.2: compress the longest run (length ≥ 2) of zero groups, the first on ties.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

function to16(ip: Uint8Array): Uint8Array | null {
  if (ip.length === 16) return ip;
  if (ip.length === 4) return Uint8Array.from([...V4_PREFIX, ...ip]);
  return null;
}

/** Go's net.IP.Equal. */
export function ipEqual(a: Uint8Array, b: Uint8Array): boolean {
  const x = to16(a);
  const y = to16(b);
  return x !== null && y !== null && x.every((v, i) => v === y[i]);
}
