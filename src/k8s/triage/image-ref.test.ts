import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalImage, imageKeys, parseImageRef, registryOfImage } from "./image-ref.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

const canonical: Array<[string, string]> = [
  ["nginx", "docker.io/library/nginx:latest"],
  ["nginx:1.27", "docker.io/library/nginx:1.27"],
  ["bitnami/redis:7", "docker.io/bitnami/redis:7"],
  ["docker.io/library/busybox:1", "docker.io/library/busybox:1"],
  ["index.docker.io/busybox", "docker.io/library/busybox:latest"],
  ["repo.example.com:11000/team/app:v1", "repo.example.com:11000/team/app:v1"],
  ["repo.example.com:11000/team/app", "repo.example.com:11000/team/app:latest"],
  ["localhost/app:dev", "localhost/app:dev"],
  [`repo.example.com/app@${DIGEST}`, `repo.example.com/app@${DIGEST}`],
  [`repo.example.com/app:v1@${DIGEST}`, `repo.example.com/app:v1@${DIGEST}`],
  [`docker-pullable://nginx@${DIGEST}`, `docker.io/library/nginx@${DIGEST}`],
  [`docker.io/library/nginx@${DIGEST}`, `docker.io/library/nginx@${DIGEST}`],
];

for (const [input, want] of canonical) {
  test(`canonicalImage(${input})`, () => {
    const ref = parseImageRef(input);
    assert.ok(ref, `${input} should parse`);
    assert.equal(canonicalImage(ref), want);
  });
}

test("unreadable names are no match, not an error", () => {
  for (const bad of ["", "has space:1", "repo/app@sha256:zz", "repo/app:"])
    assert.equal(parseImageRef(bad), null);
});

test("imageKeys gives repo:tag and repo@digest so node image lists can be matched", () => {
  assert.deepEqual(imageKeys(`nginx:1.27@${DIGEST}`), [
    "docker.io/library/nginx:1.27",
    `docker.io/library/nginx@${DIGEST}`,
  ]);
  assert.deepEqual(imageKeys("nginx"), ["docker.io/library/nginx:latest"]);
});

test("registryOfImage", () => {
  assert.equal(registryOfImage("repo.example.com:11000/team/app:v1"), "repo.example.com:11000");
  assert.equal(registryOfImage("nginx"), "docker.io");
  assert.equal(registryOfImage("REPO.example.com/app"), "repo.example.com");
});
