import { isIPv4, isIPv6 } from "node:net";

/**
 * 4, 6 or 0, like net.isIP, but cheap for host names: Node compiles its
 * large IPv6 regular expression on first use (~10 ms at start-up), so it is
 * consulted only for text that can be an IPv6 literal at all.
 */
export function ipVersionOf(text: string): 0 | 4 | 6 {
  if (/^[0-9.]+$/.test(text)) return isIPv4(text) ? 4 : 0;
  // An IPv6 literal has at least two colons and only hex digits, dots (an
  // embedded IPv4) and colons before an optional %zone.
  if (/^[0-9a-fA-F.]*:[0-9a-fA-F.]*:[0-9a-fA-F:.]*(%[\w.-]+)?$/.test(text)) return isIPv6(text) ? 6 : 0;
  return 0;
}
