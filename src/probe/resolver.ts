import { lookup } from "node:dns/promises";
import { ipVersionOf } from "../target/ip-literal.ts";
import { type Budget, withinBudget } from "./budget.ts";
import { toNetError } from "./net-error.ts";
import type { DnsFacts } from "./types.ts";

/** Name resolution, injectable so tests can fake answers and failures without /etc/hosts. */
export interface Resolver {
  /** Every address for `hostname`, in resolver order; rejects with a Node-style `code` (ENOTFOUND, EAI_AGAIN). */
  lookup(hostname: string): Promise<string[]>;
}

/**
 * getaddrinfo through libuv, as the runtimes' Go resolver falls back to on
 * most nodes: /etc/hosts and nsswitch apply. `verbatim` keeps the resolver's
 * order instead of sorting IPv4 first.
 */
export const systemResolver: Resolver = {
  async lookup(hostname) {
    if (isSpecialUseInvalid(hostname)) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
    }
    const answers = await lookup(hostname, { all: true, verbatim: true });
    return answers.map((answer) => answer.address);
  },
};

/**
 * RFC 6761 §6.4: ".invalid" names never resolve, and resolver libraries
 * SHOULD answer negatively at once instead of querying the network. glibc
 * does not, so we do — which also keeps a typo'd target off the wire.
 */
export function isSpecialUseInvalid(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "invalid" || name.endsWith(".invalid");
}

/** IP literals skip DNS; an empty answer is a DNS failure, not a success with nowhere to dial. */
export async function resolveHost(host: string, resolver: Resolver, budget: Budget): Promise<DnsFacts> {
  if (ipVersionOf(host) !== 0) return { ok: true, addresses: [host], error: null };
  try {
    const addresses = await withinBudget(budget, `resolving ${host}`, resolver.lookup(host));
    if (addresses.length > 0) return { ok: true, addresses, error: null };
    return {
      ok: false,
      addresses: [],
      error: { kind: "dns", code: "ENODATA", message: `${host} has no addresses` },
    };
  } catch (error) {
    budget.signal?.throwIfAborted();
    return { ok: false, addresses: [], error: toNetError(error) };
  }
}
