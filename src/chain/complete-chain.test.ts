import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Certificate } from "../pki/certificate.ts";
import { type Issued, issueDated } from "../pki/testing/test-pki.ts";
import { Budget } from "../probe/budget.ts";
import { type AiaFetcher, type AiaFetchResult, DEFAULT_AIA_LIMITS } from "./aia-fetch.ts";
import { type ChainCompletion, completeChain, uncompleted } from "./complete-chain.ts";

/**
 * The completion walk with a scripted fetcher: which URLs it asks for, which
 * answers it accepts, and how every way of failing ends as an issue.
 */

const PKI = "http://pki.test";
type Answers = Record<string, Uint8Array | Exclude<AiaFetchResult, { ok: true }>>;

/** Serves `answers` by URL; anything else is a 404. Records the URLs asked for. */
function scripted(answers: Answers): AiaFetcher & { asked: string[] } {
  const asked: string[] = [];
  const fetcher = async (url: string): Promise<AiaFetchResult> => {
    asked.push(url);
    const answer = answers[url];
    if (answer instanceof Uint8Array)
      return { ok: true, body: Buffer.from(answer), finalUrl: url, requests: 1 };
    return answer ?? { ok: false, kind: "http-status", message: "the server answered HTTP 404", requests: 1 };
  };
  return Object.assign(fetcher, { asked });
}

function complete(
  presented: Certificate[],
  fetcher: AiaFetcher,
  limits = DEFAULT_AIA_LIMITS,
): Promise<ChainCompletion> {
  return completeChain(presented, { fetcher, budget: new Budget(5_000), limits });
}

const names = (c: ChainCompletion) => c.path.map((l) => l.cert.commonName);
const kinds = (c: ChainCompletion) => c.issues.map((i) => `${i.kind}:${i.severity}`);

let root: Issued;
let inter: Issued;
let leaf: Issued;
/** Same subject as `inter`, another key: a stale or wrong intermediate on the AIA server. */
let impostor: Issued;
let leafLdap: Issued;
let leafNoAia: Issued;

before(async () => {
  root = await issueDated({ commonName: "Root", isCA: true });
  inter = await issueDated({
    commonName: "Inter",
    isCA: true,
    issuer: root,
    aiaIssuerUrl: `${PKI}/root.der`,
  });
  impostor = await issueDated({ commonName: "Inter", isCA: true, issuer: root });
  const leafOpts = { commonName: "leaf", issuer: inter, dnsNames: ["repo.example.com"] };
  leaf = await issueDated({ ...leafOpts, aiaIssuerUrl: `${PKI}/inter.der` });
  leafNoAia = await issueDated(leafOpts);
  leafLdap = await issueDated({ ...leafOpts, aiaIssuerUrl: "ldap:///CN=Inter,CN=AIA,DC=corp" });
});

describe("completeChain", () => {
  it("follows DER answers from the leaf to the root, verifying each signature", async () => {
    const fetcher = scripted({ [`${PKI}/inter.der`]: inter.der, [`${PKI}/root.der`]: root.der });
    const c = await complete([leaf.cert], fetcher);
    assert.deepEqual(names(c), ["leaf", "Inter", "Root"]);
    assert.equal(c.reachedRoot, true);
    assert.deepEqual(c.issues, []);
    assert.deepEqual(
      c.fetched.map((l) => [l.position, l.origin]),
      [
        [2, { source: "aia", url: `${PKI}/inter.der` }],
        [3, { source: "aia", url: `${PKI}/root.der` }],
      ],
    );
    assert.deepEqual(fetcher.asked, [`${PKI}/inter.der`, `${PKI}/root.der`]);
  });

  it("uses the intermediate the server sent and fetches only the root", async () => {
    const fetcher = scripted({ [`${PKI}/root.der`]: root.der });
    const c = await complete([leaf.cert, inter.cert], fetcher);
    assert.deepEqual(names(c), ["leaf", "Inter", "Root"]);
    assert.deepEqual(
      c.path.map((l) => l.origin.source),
      ["server", "server", "aia"],
    );
    assert.deepEqual(fetcher.asked, [`${PKI}/root.der`]);
  });

  it("takes the next issuer from an earlier PKCS#7-style answer without fetching again", async () => {
    const pem = Buffer.from(inter.certPem + root.certPem);
    const fetcher = scripted({ [`${PKI}/inter.der`]: pem });
    const c = await complete([leaf.cert], fetcher);
    assert.deepEqual(names(c), ["leaf", "Inter", "Root"]);
    assert.deepEqual(fetcher.asked, [`${PKI}/inter.der`]);
    assert.deepEqual(
      c.fetched.map((l) => l.origin),
      [
        { source: "aia", url: `${PKI}/inter.der` },
        { source: "aia", url: `${PKI}/inter.der` },
      ],
    );
  });

  it("fetches nothing when the server sent the root", async () => {
    const fetcher = scripted({});
    const c = await complete([leaf.cert, inter.cert, root.cert], fetcher);
    assert.equal(c.reachedRoot, true);
    assert.deepEqual(fetcher.asked, []);
  });

  const failures: { name: string; answers: () => Answers; expect: string[]; leaf?: () => Issued }[] = [
    { name: "404", answers: () => ({}), expect: ["aia-http-status:warning"] },
    {
      name: "timeout",
      answers: () => ({
        [`${PKI}/inter.der`]: { ok: false, kind: "timeout", message: "no answer in time", requests: 1 },
      }),
      expect: ["aia-timeout:warning"],
    },
    {
      name: "garbage body",
      answers: () => ({ [`${PKI}/inter.der`]: Buffer.from("<html>moved</html>") }),
      expect: ["aia-undecodable:warning"],
    },
    {
      name: "the root instead of the intermediate",
      answers: () => ({ [`${PKI}/inter.der`]: root.der }),
      expect: ["aia-wrong-certificate:warning"],
    },
    {
      name: "same name, other key",
      answers: () => ({ [`${PKI}/inter.der`]: impostor.der }),
      expect: ["aia-signature-mismatch:warning"],
    },
    { name: "no AIA URL", answers: () => ({}), expect: ["aia-no-url:warning"], leaf: () => leafNoAia },
    {
      name: "LDAP only",
      answers: () => ({}),
      expect: ["aia-unsupported-scheme:warning"],
      leaf: () => leafLdap,
    },
  ];
  for (const f of failures) {
    it(`stops at the leaf with a clear issue: ${f.name}`, async () => {
      const c = await complete([(f.leaf?.() ?? leaf).cert], scripted(f.answers()));
      assert.deepEqual(names(c), ["leaf"]);
      assert.equal(c.reachedRoot, false);
      assert.deepEqual(kinds(c), f.expect);
      assert.match(c.issues[0]?.message ?? "", /certificate 1 \(CN=leaf\)/);
    });
  }

  it("tries the next AIA URL after a failure; the failure then is only a note", async () => {
    // generate.ts writes one URL; the model holds any number, as real AD CS certificates carry.
    const twoUrls: Certificate = { ...leaf.cert, aiaIssuers: [`${PKI}/gone.der`, `${PKI}/inter.der`] };
    const fetcher = scripted({ [`${PKI}/inter.der`]: inter.der, [`${PKI}/root.der`]: root.der });
    const c = await complete([twoUrls], fetcher);
    assert.deepEqual(names(c), ["leaf", "Inter", "Root"]);
    assert.deepEqual(kinds(c), ["aia-http-status:info"]);
    assert.deepEqual(
      c.attempts.map((a) => a.outcome),
      ["aia-http-status", "ok", "ok"],
    );
  });

  it("detects an AIA loop: the same URL asked for twice", async () => {
    const a = await issueDated({
      commonName: "Loop A",
      isCA: true,
      issuer: root,
      aiaIssuerUrl: `${PKI}/a.der`,
    });
    const b = await issueDated({ commonName: "Loop B", isCA: true, issuer: a, aiaIssuerUrl: `${PKI}/a.der` });
    const l = await issueDated({ commonName: "leaf", issuer: b, aiaIssuerUrl: `${PKI}/b.der` });
    // b.der is answered with B, whose AIA points at a.der (→ A), whose AIA points at a.der again.
    const fetcher = scripted({ [`${PKI}/b.der`]: b.der, [`${PKI}/a.der`]: a.der });
    const c = await complete([l.cert], fetcher);
    assert.deepEqual(names(c), ["leaf", "Loop B", "Loop A"]);
    assert.deepEqual(kinds(c), ["aia-loop:warning"]);
    assert.deepEqual(fetcher.asked, [`${PKI}/b.der`, `${PKI}/a.der`]);
  });

  it("stops after maxCertificates fetched certificates", async () => {
    const fetcher = scripted({ [`${PKI}/inter.der`]: inter.der, [`${PKI}/root.der`]: root.der });
    const c = await complete([leaf.cert], fetcher, { ...DEFAULT_AIA_LIMITS, maxCertificates: 1 });
    assert.deepEqual(names(c), ["leaf", "Inter"]);
    assert.deepEqual(kinds(c), ["aia-limit:warning"]);
  });

  it("stops when the request budget is spent", async () => {
    const fetcher = scripted({ [`${PKI}/inter.der`]: inter.der, [`${PKI}/root.der`]: root.der });
    const c = await complete([leaf.cert], fetcher, { ...DEFAULT_AIA_LIMITS, maxRequests: 1 });
    assert.deepEqual(names(c), ["leaf", "Inter"]);
    assert.deepEqual(kinds(c), ["aia-limit:warning"]);
    assert.deepEqual(fetcher.asked, [`${PKI}/inter.der`]);
  });

  it("never asks the fetcher when the overall budget is already spent (the fetcher reports the timeout)", async () => {
    let budgetLeft = -1;
    const fetcher: AiaFetcher = async (_url, ctx) => {
      budgetLeft = ctx.budget.remainingMs();
      return { ok: false, kind: "timeout", message: "no answer in time", requests: 1 };
    };
    const c = await completeChain([leaf.cert], {
      fetcher,
      budget: new Budget(0),
      limits: DEFAULT_AIA_LIMITS,
    });
    assert.equal(budgetLeft, 0);
    assert.deepEqual(kinds(c), ["aia-timeout:warning"]);
  });
});

describe("uncompleted", () => {
  it("is the path the presented certificates form, leaf first, duplicates and strays left out", () => {
    const c = uncompleted([leaf.cert, root.cert, leaf.cert, inter.cert]);
    assert.deepEqual(names(c), ["leaf", "Inter", "Root"]);
    assert.deepEqual(
      c.path.map((l) => l.position),
      [1, 4, 2],
    );
    assert.equal(c.reachedRoot, true);
  });
});
