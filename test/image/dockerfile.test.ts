// No docker engine runs in CI, so the Dockerfile is proven through its recipe:
// it is exactly what scripts/image/dockerfile.ts generates from
// scripts/image/recipe.json — the recipe `npm run image` builds offline and
// test/image/image.test.ts pushes, pulls and runs — and what it copies exists.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { DOCKERFILE, generateDockerfile } from "../../scripts/image/dockerfile.ts";
import { loadRecipe, packageVersion } from "../../scripts/image/recipe.ts";
import { buildManifests } from "../../src/k8s/manifests/manifests.ts";
import { NODE_ACTIONS, nodePod } from "../../src/k8s/node-run/pod-spec.ts";

const dockerfile = readFileSync(DOCKERFILE, "utf8");
const recipe = loadRecipe();

function stages(): { from: string; name: string; body: string[] }[] {
  const out: { from: string; name: string; body: string[] }[] = [];
  for (const line of dockerfile.split("\n").map((l) => l.trim())) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (m) out.push({ from: m[1] ?? "", name: m[2] ?? "", body: [] });
    else out.at(-1)?.body.push(line);
  }
  return out;
}

test("the Dockerfile is the one generated from the image recipe (run `npm run image:dockerfile`)", () => {
  assert.equal(dockerfile, generateDockerfile(recipe, packageVersion()));
});

test("the runtime stage carries the recipe's Debian packages, files, user and entrypoint", () => {
  const [build, runtime, ...rest] = stages();
  assert.equal(rest.length, 0);
  assert.equal(build?.name, "build");
  assert.equal(runtime?.from, recipe.debian.dockerBase);
  const body = runtime?.body.join("\n") ?? "";
  assert.ok(body.includes(`apt-get install -y --no-install-recommends ${recipe.debian.packages.join(" ")}`));
  assert.match(body, new RegExp(`^USER ${recipe.config.user}$`, "m"));
  const entry = runtime?.body.find((l) => l.startsWith("ENTRYPOINT"));
  assert.deepEqual(JSON.parse(entry?.slice("ENTRYPOINT".length) ?? "null"), recipe.config.entrypoint);
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

test("the entrypoint runs the bundle scripts/build.mjs writes, on a Node the package supports", () => {
  const build = readFileSync("scripts/build.mjs", "utf8");
  assert.match(build, /entryPoints: \{ regtrust: "src\/cli\/entry\.ts" \}/);
  assert.match(build, /outdir: "dist"/);
  assert.ok(recipe.app.files.includes("dist/regtrust.mjs") && recipe.app.files.includes("dist/chunks"));
  assert.deepEqual(recipe.config.entrypoint, [recipe.node.binary, `${recipe.app.dir}/dist/regtrust.mjs`]);
  // The CLI only runs main() when argv[1] names regtrust(.mjs) (src/cli/main.ts).
  assert.match(recipe.config.entrypoint[1] ?? "", /\/regtrust\.mjs$/);
  const engines = (JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } }).engines;
  const [minMajor, minMinor] = (/^>=(\d+)\.(\d+)/.exec(engines.node) ?? []).slice(1).map(Number);
  const [major, minor] = recipe.node.version.split(".").map(Number);
  assert.ok(
    major! > minMajor! || (major === minMajor && minor! >= minMinor!),
    `${recipe.node.version} vs ${engines.node}`,
  );
});

test("the default user is not root; the pods that need root say runAsUser 0 (kubelet's user wins over the image's)", () => {
  assert.notEqual(recipe.config.user.split(":")[0], "0");
  for (const mode of ["report", "enforce"] as const) {
    const daemonSet = buildManifests({
      registries: ["repo.example.com:5000"],
      caPem: "",
      mode,
      image: "regtrust:test",
      namespace: "regtrust",
    }).find((doc) => doc.kind === "DaemonSet") as {
      spec: { template: { spec: { containers: { securityContext: { runAsUser?: number } }[] } } };
    };
    assert.equal(daemonSet.spec.template.spec.containers[0]?.securityContext.runAsUser, 0, `agent ${mode}`);
  }
  for (const action of NODE_ACTIONS) {
    for (const args of [[], ["--restart"]]) {
      const pod = nodePod({
        node: "n",
        action,
        args,
        namespace: "d",
        image: "i",
        deadlineSeconds: 60,
        suffix: "x",
      });
      assert.equal(pod.spec?.containers[0]?.securityContext?.runAsUser, 0, `k8s node ${action} ${args}`);
    }
  }
});
