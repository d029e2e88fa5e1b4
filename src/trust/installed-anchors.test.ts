import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { makeNodeRoot } from "../node/testing/node-root.ts";
import { createPrivatePki } from "../pki/generate.ts";
import { parseCertificate } from "../pki/parse-certificate.ts";
import { toPem } from "../pki/read-bundle.ts";
import { type AppliedRecord, emptyJournal } from "../plan/journal.ts";
import { fileState } from "../plan/path-state.ts";
import { installedAnchors } from "./installed-anchors.ts";

const rootNamed = async (n: string) =>
  parseCertificate(
    (await createPrivatePki({ hostnames: ["x.example.com"], rootName: `Root ${n}` })).root.der,
  );
const [A, B, C] = await Promise.all([rootNamed("A"), rootNamed("B"), rootNamed("C")]);
const REG = "repo.example.com:5000";

function record(
  id: string,
  path: string,
  pem: string,
  meta: Record<string, string>,
  target = REG,
): AppliedRecord {
  return {
    id,
    target,
    action: "trust",
    appliedAt: "2026-01-01T00:00:00Z",
    meta,
    changes: [
      {
        path,
        owner: "regtrust",
        before: { type: "absent" },
        after: fileState(Buffer.from(pem), 0o644, 0, 0),
      },
    ],
    claims: [],
    commands: [],
    commandResults: null,
  };
}
const anchors = (...certs: { sha256: string }[]) => ({ anchors: certs.map((c) => c.sha256).join(",") });

describe("installedAnchors: the set is folded from the journal's trust records", () => {
  const cases: { name: string; records: AppliedRecord[]; want: string[] }[] = [
    { name: "no record: nothing installed", records: [], want: [] },
    {
      name: "additive runs add",
      records: [record("1", "/a.crt", toPem([A]), anchors(A)), record("2", "/b.crt", toPem([B]), anchors(B))],
      want: [A.sha256, B.sha256],
    },
    {
      name: "a replace run makes the set exactly its anchors",
      records: [
        record("1", "/a.crt", toPem([A, B]), anchors(A, B)),
        record("2", "/c.crt", toPem([C]), { ...anchors(C), replace: "true" }),
      ],
      want: [C.sha256],
    },
    {
      name: "records from before rotation existed: read from their CA files",
      records: [record("1", "/ab.crt", toPem([A, B]), {})],
      want: [A.sha256, B.sha256],
    },
    {
      name: "another registry's records do not count",
      records: [record("1", "/a.crt", toPem([A]), anchors(A), "other.example.com")],
      want: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const node = makeNodeRoot({});
      try {
        const journal = { ...emptyJournal(), records: c.records };
        assert.deepEqual(
          installedAnchors(journal, REG, node.fs).current.map((x) => x.sha256),
          c.want,
        );
      } finally {
        node.cleanup();
      }
    });
  }

  test("owned files: only those that still hold what regtrust wrote", () => {
    const node = makeNodeRoot({ "/a.crt": toPem([A]), "/b.crt": "edited by someone\n" });
    try {
      const journal = {
        ...emptyJournal(),
        records: [
          record("1", "/a.crt", toPem([A]), anchors(A)),
          record("2", "/b.crt", toPem([B]), anchors(B)),
        ],
      };
      const installed = installedAnchors(journal, REG, node.fs);
      assert.deepEqual(installed.ownedFiles, ["/a.crt"]);
      assert.deepEqual([...installed.ever].sort(), [A.sha256, B.sha256].sort());
    } finally {
      node.cleanup();
    }
  });
});
