import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { KubeApi, ListQuery, Page } from "../client/kube-api.ts";
import { KubeApiError } from "../client/kube-errors.ts";
import { imageCache } from "./image-cache.ts";

const IMAGE = "repo.example.com:5000/team/app:v1";
const DIGEST = `sha256:${"d".repeat(64)}`;

function node(name: string, names: string[][]): V1Node {
  return { metadata: { name }, status: { images: names.map((n) => ({ names: n })) } };
}

function runningPod(name: string, nodeName: string, image: string, imageID: string): V1Pod {
  return {
    metadata: { name, namespace: "default" },
    spec: { nodeName, containers: [{ name: "app", image }] },
    status: {
      phase: "Running",
      containerStatuses: [
        {
          name: "app",
          image,
          imageID,
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: new Date() } },
        },
      ],
    },
  };
}

/** An in-memory KubeApi: one page per list; `forbidden` resources throw like the real client wrapper. */
function memoryApi(pods: V1Pod[], nodes: V1Node[], forbidden: string[] = []): KubeApi {
  const deny = (resource: string, namespace: string | null) => {
    if (forbidden.includes(`${resource}:${namespace ?? "*"}`)) {
      throw new KubeApiError("forbidden", `forbidden ${resource}`, { verb: "list", resource, namespace });
    }
  };
  const one = <T>(items: T[]): Page<T> => ({ items, continue: null });
  return {
    listPods: async (q: ListQuery & { namespace: string | null }) => {
      deny("pods", q.namespace);
      return one(pods.filter((p) => q.namespace === null || p.metadata?.namespace === q.namespace));
    },
    listEvents: async () => one([]),
    listNodes: async () => {
      deny("nodes", null);
      return one(nodes);
    },
    readPod: async () => {
      throw new Error("not used");
    },
    createPod: async () => {
      throw new Error("not used");
    },
    deletePod: async () => {
      throw new Error("not used");
    },
    readPodLog: async () => {
      throw new Error("not used");
    },
  };
}

test("a node listing only the digest counts, once a running pod reveals the digest of the tag", async () => {
  const api = memoryApi(
    [runningPod("old", "node-b", IMAGE, `repo.example.com:5000/team/app@${DIGEST}`)],
    [
      node("node-a", [[`repo.example.com:5000/team/app@${DIGEST}`]]),
      node("node-b", []),
      node("node-c", [["docker.io/library/nginx:1.25"]]),
    ],
  );
  const warnings: string[] = [];
  const cache = await imageCache(api, { image: IMAGE, namespace: "default", chunkSize: 10 }, warnings);
  assert.deepEqual(
    cache.nodesWithImage.map((n) => [n.node, n.evidence, n.pods]),
    [
      ["node-a", ["node-status"], []],
      ["node-b", ["running-pod"], ["default/old"]],
    ],
  );
  assert.deepEqual(cache.nodesWithout, ["node-c"]);
  assert.equal(cache.totalNodes, 3);
  assert.deepEqual(warnings, []);
});

test("docker.io short names match their canonical node image names", async () => {
  const api = memoryApi([], [node("node-a", [["docker.io/library/nginx:1.25"]]), node("node-b", [])]);
  const cache = await imageCache(api, { image: "nginx:1.25", namespace: "default", chunkSize: 10 }, []);
  assert.deepEqual(
    cache.nodesWithImage.map((n) => n.node),
    ["node-a"],
  );
});

test("nothing readable: no holders, unknown nodes, and two notes", async () => {
  const api = memoryApi([], [], ["pods:*", "pods:default", "nodes:*"]);
  const warnings: string[] = [];
  const cache = await imageCache(api, { image: IMAGE, namespace: "default", chunkSize: 10 }, warnings);
  assert.deepEqual(cache.nodesWithImage, []);
  assert.equal(cache.nodesWithout, null);
  assert.equal(cache.podScope, "none");
  assert.equal(warnings.length, 2);
});
