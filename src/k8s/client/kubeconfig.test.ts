import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { InputError } from "../../core/errors.ts";
import { chooseKubeconfig } from "./kubeconfig.ts";

describe("chooseKubeconfig (kubectl's order)", () => {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-kubeconfig-"));
  const a = join(dir, "a");
  const b = join(dir, "b");
  const home = join(dir, "home");
  const token = join(dir, "token");
  before(() => {
    for (const f of [a, b, token]) writeFileSync(f, "");
    mkdirSync(join(home, ".kube"), { recursive: true });
    writeFileSync(join(home, ".kube", "config"), "");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const noToken = () => join(dir, "no-token");

  test("--kubeconfig wins over everything", () => {
    assert.deepEqual(chooseKubeconfig({ flag: a, env: { KUBECONFIG: b, HOME: home } }), {
      kind: "files",
      paths: [a],
    });
  });
  test("$KUBECONFIG: a list; missing files are skipped", () => {
    const env = { KUBECONFIG: [join(dir, "missing"), b, a].join(":"), HOME: home };
    assert.deepEqual(chooseKubeconfig({ env }), { kind: "files", paths: [b, a] });
  });
  test("then ~/.kube/config", () => {
    assert.deepEqual(chooseKubeconfig({ env: { HOME: home } }), {
      kind: "files",
      paths: [join(home, ".kube", "config")],
    });
  });
  test("then the pod's service account", () => {
    const env = { HOME: join(dir, "nohome"), KUBERNETES_SERVICE_HOST: "10.96.0.1" };
    assert.deepEqual(chooseKubeconfig({ env, serviceAccountToken: token }), { kind: "in-cluster" });
  });
  const failures: Array<[string, Parameters<typeof chooseKubeconfig>[0], RegExp]> = [
    ["a missing --kubeconfig", { flag: join(dir, "nope"), env: {} }, /--kubeconfig .*nope: no such file/],
    [
      "$KUBECONFIG with no existing file",
      { env: { KUBECONFIG: join(dir, "x") } },
      /\$KUBECONFIG names no existing file/,
    ],
    [
      "a service host without a token",
      { env: { KUBERNETES_SERVICE_HOST: "10.96.0.1" }, serviceAccountToken: "" },
      /no Kubernetes configuration/,
    ],
  ];
  for (const [name, inputs, message] of failures) {
    test(`InputError: ${name}`, () => {
      const withToken = { ...inputs, serviceAccountToken: inputs.serviceAccountToken || noToken() };
      assert.throws(
        () => chooseKubeconfig(withToken),
        (e: unknown) => e instanceof InputError && message.test(e.message),
      );
    });
  }
});
