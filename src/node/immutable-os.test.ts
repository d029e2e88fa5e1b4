/** Recognising Talos, Bottlerocket and Flatcar from their os-release files (the texts the OSes ship). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { distroFromOsRelease } from "./distro.ts";
import { immutableOsFindings, immutableOsOf, refuseReadOnlyNode } from "./immutable-os.ts";

/**
 * os-release as shipped: Talos from siderolabs/talos pkg/machinery/version/osrelease_test.go,
 * Bottlerocket from bottlerocket-os/bottlerocket's release package and its docs,
 * Flatcar's `ID=flatcar` as scripts upstream match it (`grep -q "^ID=flatcar" /etc/os-release`);
 * Flatcar's other fields here are illustrative.
 */
const OS_RELEASES: Array<{ text: string; id: string | null; writable: boolean }> = [
  {
    text: 'NAME="Talos"\nID=talos\nVERSION_ID=v1.0.0\nPRETTY_NAME="Talos (v1.0.0)"\nHOME_URL="https://www.talos.dev/"\n',
    id: "talos",
    writable: false,
  },
  {
    text: 'NAME=Bottlerocket\nID=bottlerocket\nVERSION="1.47.0 (aws-k8s-1.34)"\nPRETTY_NAME="Bottlerocket OS 1.47.0 (aws-k8s-1.34)"\nVARIANT_ID=aws-k8s-1.34\nVERSION_ID=1.47.0\n',
    id: "bottlerocket",
    writable: false,
  },
  {
    text: 'NAME="Flatcar Container Linux by Kinvolk"\nID=flatcar\nID_LIKE=coreos\nVERSION_ID=4152.2.0\nPRETTY_NAME="Flatcar Container Linux by Kinvolk 4152.2.0 (Oklo)"\n',
    id: "flatcar",
    writable: true,
  },
  { text: 'ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n', id: null, writable: true },
  { text: "ID=talos_new\n", id: null, writable: true },
];

describe("immutable node OSes from os-release", () => {
  for (const { text, id, writable } of OS_RELEASES) {
    const distro = distroFromOsRelease(text);
    test(`${distro.id}: ${id ?? "not immutable"}`, () => {
      assert.equal(immutableOsOf(distro)?.id ?? null, id);
      const findings = immutableOsFindings(distro, "repo.example.com");
      assert.equal(findings.length, id === null ? 0 : 1);
      if (id !== null) {
        assert.equal(findings[0]!.code, "immutable-os");
        assert.equal(findings[0]!.severity, "info");
        assert.deepEqual(findings[0]!.fix, [`regtrust export repo.example.com --ca FILE --format ${id}`]);
      }
      if (writable) refuseReadOnlyNode(distro, "repo.example.com");
      else {
        assert.throws(
          () => refuseReadOnlyNode(distro, "repo.example.com"),
          new RegExp(`regtrust export repo\\.example\\.com --ca FILE --format ${id}`),
        );
      }
    });
  }
});
