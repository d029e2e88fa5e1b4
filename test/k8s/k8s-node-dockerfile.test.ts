// No docker engine runs in CI, so the Dockerfile is checked statically: the
// paths it copies exist, the entrypoint is the file scripts/build.mjs writes,
// and the runtime stage has the chroot the trust actions need.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { buildManifests } from "../../src/k8s/manifests.ts";
import { nodePod } from "../../src/k8s/node-run/pod-spec.ts";

const dockerfile = readFileSync("Dockerfile", "utf8");
const lines = dockerfile
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));

function stages(): { from: string; name: string; body: string[] }[] {
  const out: { from: string; name: string; body: string[] }[] = [];
  for (const line of lines) {
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (m) out.push({ from: m[1] ?? "", name: m[2] ?? "", body: [] });
    else out.at(-1)?.body.push(line);
  }
  return out;
}

test("two stages: build on node:20-bookworm-slim, runtime with a shell userland", () => {
  const [build, runtime, ...rest] = stages();
  assert.equal(rest.length, 0);
  assert.equal(build?.from, "node:20-bookworm-slim");
  assert.equal(build?.name, "build");
  assert.ok(build?.body.some((l) => /^RUN npm ci\b/.test(l)));
  assert.ok(build?.body.includes("RUN node scripts/build.mjs"));
  // chroot /host update-ca-certificates (src/plan/commands.ts) needs coreutils' chroot.
  assert.doesNotMatch(runtime?.from ?? "", /distroless/);
  assert.match(runtime?.from ?? "", /^node:20-/);
});

test("every COPY source of the build stage exists and is not excluded by .dockerignore", () => {
  const ignore = readFileSync(".dockerignore", "utf8");
  for (const line of stages()[0]?.body ?? []) {
    const m = /^COPY\s+(?!--from)(.+)\s+\S+$/.exec(line);
    if (!m) continue;
    for (const src of (m[1] ?? "").split(/\s+/)) {
      assert.ok(existsSync(src), `Dockerfile copies ${src}, which does not exist`);
      assert.match(ignore, new RegExp(`^!${src.replace(".", "\\.")}/?$`, "m"), `${src} must be re-included`);
    }
  }
});

test("ENTRYPOINT runs the bundle scripts/build.mjs writes, copied from the build stage", () => {
  const build = readFileSync("scripts/build.mjs", "utf8");
  assert.match(build, /entryPoints: \{ regtrust: "src\/cli\/main\.ts" \}/);
  assert.match(build, /outdir: "dist"/);
  assert.match(build, /"\.js": "\.mjs"/);
  const runtime = stages()[1]?.body ?? [];
  assert.ok(runtime.includes("WORKDIR /app"));
  assert.ok(runtime.includes("COPY --from=build /src/dist ./dist"));
  const entry = runtime.find((l) => l.startsWith("ENTRYPOINT"));
  assert.deepEqual(JSON.parse(entry?.slice("ENTRYPOINT".length) ?? "null"), [
    "node",
    "/app/dist/regtrust.mjs",
  ]);
  // main.ts only runs main() when argv[1] names regtrust(.mjs).
  assert.match("/app/dist/regtrust.mjs", /regtrust(\.mjs|\.ts)?$/);
});

test("USER is set explicitly (pods override it with runAsUser 0 where root is needed)", () => {
  const runtime = stages()[1]?.body ?? [];
  assert.ok(runtime.some((l) => /^USER\s+\S+$/.test(l)));
  // Every pod regtrust generates runs as root: the image's USER is not, and node trust files are root's.
  for (const action of ["diagnose", "trust"] as const) {
    const pod = nodePod({
      node: "n",
      action,
      args: [],
      namespace: "x",
      image: "i",
      deadlineSeconds: 1,
      suffix: "s",
    });
    assert.equal(pod.spec?.containers[0]?.securityContext?.runAsUser, 0, action);
  }
  for (const mode of ["report", "enforce"] as const) {
    const docs = buildManifests({ registries: ["r"], caPem: "", mode, image: "i", namespace: "x" });
    const ds = docs.find((d) => d.kind === "DaemonSet") as {
      spec: { template: { spec: { containers: { securityContext: { runAsUser?: number } }[] } } };
    };
    assert.equal(ds.spec.template.spec.containers[0]?.securityContext.runAsUser, 0, `agent ${mode}`);
  }
});
