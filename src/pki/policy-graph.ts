import type { Certificate } from "./certificate.ts";
import { internalsOf } from "./parse-certificate.ts";

/**
 * Certificate policy validation as Go 1.24 runs it on every candidate chain
 * (crypto/x509/verify.go policiesValid: RFC 5280 §6.1 as updated by RFC 9618,
 * policy graph instead of tree), with Verify's defaults: no initial policy
 * set (anyPolicy), explicit policy, policy mapping and anyPolicy all allowed.
 * A chain whose constraints demand an explicit policy that no certificate
 * provides fails with "x509: no valid chains built: all candidate chains have
 * invalid policies". Go releases before 1.24 have no such check.
 */

const ANY_POLICY = "2.5.29.32.0";

interface PolicyNode {
  validPolicy: string;
  expected: string[];
  parents: Set<PolicyNode>;
  children: Set<PolicyNode>;
}

function node(validPolicy: string, parents: PolicyNode[]): PolicyNode {
  const n: PolicyNode = { validPolicy, expected: [validPolicy], parents: new Set(), children: new Set() };
  for (const p of parents) {
    p.children.add(n);
    n.parents.add(p);
  }
  return n;
}

class PolicyGraph {
  strata: Map<string, PolicyNode>[] = [new Map([[ANY_POLICY, node(ANY_POLICY, [])]])];
  parentIndex = new Map<string, PolicyNode[]>();
  depth = 0;

  insert(n: PolicyNode): void {
    this.strata[this.depth]!.set(n.validPolicy, n);
  }
  parentsWithExpected(policy: string): PolicyNode[] {
    return this.depth === 0 ? [] : (this.parentIndex.get(policy) ?? []);
  }
  parentWithAnyPolicy(): PolicyNode | undefined {
    return this.depth === 0 ? undefined : this.strata[this.depth - 1]!.get(ANY_POLICY);
  }
  parents(): PolicyNode[] {
    return this.depth === 0 ? [] : [...this.strata[this.depth - 1]!.values()];
  }
  leaves(): Map<string, PolicyNode> {
    return this.strata[this.depth]!;
  }
  deleteLeaf(policy: string): void {
    const n = this.leaves().get(policy);
    if (!n) return;
    for (const p of n.parents) p.children.delete(n);
    for (const c of n.children) c.parents.delete(n);
    this.leaves().delete(policy);
  }
  validPolicyNodes(): PolicyNode[] {
    const out: PolicyNode[] = [];
    for (let i = this.depth; i >= 0; i--) {
      for (const n of this.strata[i]!.values()) {
        if (n.validPolicy === ANY_POLICY || n.parents.size !== 1) continue;
        if ([...n.parents][0]!.validPolicy === ANY_POLICY) out.push(n);
      }
    }
    return out;
  }
  prune(): void {
    for (let i = this.depth - 1; i > 0; i--) {
      for (const n of [...this.strata[i]!.values()]) {
        if (n.children.size > 0) continue;
        for (const p of n.parents) p.children.delete(n);
        this.strata[i]!.delete(n.validPolicy);
      }
    }
  }
  incrDepth(): void {
    this.parentIndex = new Map();
    for (const n of this.leaves().values()) {
      for (const e of n.expected) this.parentIndex.set(e, [...(this.parentIndex.get(e) ?? []), n]);
    }
    this.depth++;
    this.strata.push(new Map());
  }
}

/** policiesValid(chain, VerifyOptions{}) for a chain leaf first, anchor last. */
export function policiesValid(chain: readonly Certificate[]): boolean {
  if (chain.length === 1) return true;
  const n = chain.length - 1;
  let pg: PolicyGraph | null = new PolicyGraph();
  let inhibitAnyPolicy = n + 1;
  let explicitPolicy = n + 1;
  let policyMapping = n + 1;
  for (let i = n - 1; i >= 0; i--) {
    const cert = chain[i]!;
    const info = internalsOf(cert).extensions.policy;
    const selfIssued = cert.subjectKey === cert.issuerKey;
    if (info.policies.length === 0) pg = null;
    if (explicitPolicy === 0 && pg === null) return false;
    if (pg !== null) {
      if (!processPolicies(pg, info.policies, inhibitAnyPolicy > 0 || (n - i < n && selfIssued))) {
        return false;
      }
      if (i !== 0 && info.mappings.length > 0 && !applyMappings(pg, info.mappings, policyMapping))
        return false;
    }
    if (i !== 0) {
      if (!selfIssued) {
        if (explicitPolicy > 0) explicitPolicy--;
        if (policyMapping > 0) policyMapping--;
        if (inhibitAnyPolicy > 0) inhibitAnyPolicy--;
      }
      if (info.requireExplicitPolicy !== null)
        explicitPolicy = Math.min(explicitPolicy, info.requireExplicitPolicy);
      if (info.inhibitPolicyMapping !== null)
        policyMapping = Math.min(policyMapping, info.inhibitPolicyMapping);
      if (info.inhibitAnyPolicy !== null)
        inhibitAnyPolicy = Math.min(inhibitAnyPolicy, info.inhibitAnyPolicy);
    }
  }
  if (explicitPolicy > 0) explicitPolicy--;
  if (internalsOf(chain[0]!).extensions.policy.requireExplicitPolicy === 0) explicitPolicy = 0;
  let valid = 0;
  if (pg !== null) valid = pg.validPolicyNodes().length + (pg.leaves().has(ANY_POLICY) ? 1 : 0);
  return !(explicitPolicy === 0 && valid === 0);
}

/** 6.1.3 (d) as updated by RFC 9618. Always true; kept boolean for symmetry with mappings. */
function processPolicies(pg: PolicyGraph, policies: string[], anyAllowed: boolean): boolean {
  pg.incrDepth();
  for (const policy of policies) {
    if (policy === ANY_POLICY) continue;
    let parents = pg.parentsWithExpected(policy);
    if (parents.length === 0) {
      const any = pg.parentWithAnyPolicy();
      if (any) parents = [any];
    }
    if (parents.length > 0) pg.insert(node(policy, parents));
  }
  if (policies.includes(ANY_POLICY) && anyAllowed) {
    const missing = new Map<string, PolicyNode[]>();
    const leaves = pg.leaves();
    for (const p of pg.parents()) {
      for (const expected of p.expected) {
        if (!leaves.has(expected)) missing.set(expected, [...(missing.get(expected) ?? []), p]);
      }
    }
    for (const [policy, parents] of missing) pg.insert(node(policy, parents));
  }
  pg.prune();
  return true;
}

/** 6.1.4 (b) as updated by RFC 9618; false for a mapping to or from anyPolicy. */
function applyMappings(pg: PolicyGraph, mappings: [string, string][], policyMapping: number): boolean {
  const byIssuer = new Map<string, string[]>();
  for (const [issuer, subject] of mappings) {
    if (policyMapping > 0) {
      if (issuer === ANY_POLICY || subject === ANY_POLICY) return false;
      byIssuer.set(issuer, [...(byIssuer.get(issuer) ?? []), subject]);
    } else {
      pg.deleteLeaf(issuer);
      pg.prune();
    }
  }
  for (const [issuer, subjects] of byIssuer) {
    const matching = pg.leaves().get(issuer);
    if (matching) matching.expected = subjects;
    else {
      const any = pg.leaves().get(ANY_POLICY);
      if (any) {
        const mapped = node(issuer, [any]);
        mapped.expected = subjects;
        pg.insert(mapped);
      }
    }
  }
  return true;
}
