import assert from "node:assert/strict";
import { test } from "node:test";
import type { CoreV1Event } from "@kubernetes/client-node";
import type { ContainerRef } from "./pod-pulls.ts";
import { PullEventIndex } from "./pull-events.ts";

const IMG = "repo.example.com:5000/app:v1";
const ref: ContainerRef = {
  namespace: "default",
  pod: "app-1",
  podUid: "uid-1",
  node: "node-c",
  container: "app",
  init: false,
  image: IMG,
  pullPolicy: "IfNotPresent",
};

function failed(
  message: string,
  at: string,
  extra: Partial<CoreV1Event["involvedObject"]> = {},
): CoreV1Event {
  return {
    metadata: { name: "e" },
    involvedObject: {
      kind: "Pod",
      namespace: "default",
      name: "app-1",
      uid: "uid-1",
      fieldPath: "spec.containers{app}",
      ...extra,
    },
    reason: "Failed",
    type: "Warning",
    message,
    lastTimestamp: new Date(at),
  };
}

test("keeps the latest `Failed to pull image` event of the container", () => {
  const index = new PullEventIndex(new Map([["default/app-1", "uid-1"]]));
  index.add(failed(`Failed to pull image "${IMG}": second`, "2026-03-01T10:05:00Z"));
  index.add(failed(`Failed to pull image "${IMG}": first`, "2026-03-01T10:00:00Z"));
  index.add(failed("Error: ErrImagePull", "2026-03-01T10:06:00Z"));
  assert.equal(index.latestFor(ref)?.message, `Failed to pull image "${IMG}": second`);
});

test("ignores other pods, an earlier pod of the same name, and other containers", () => {
  const index = new PullEventIndex(new Map([["default/app-1", "uid-1"]]));
  index.add(failed(`Failed to pull image "${IMG}": other pod`, "2026-03-01T10:00:00Z", { name: "app-2" }));
  index.add(failed(`Failed to pull image "${IMG}": old uid`, "2026-03-01T10:00:00Z", { uid: "uid-0" }));
  index.add(
    failed(`Failed to pull image "${IMG}": sidecar`, "2026-03-01T10:00:00Z", {
      fieldPath: "spec.containers{proxy}",
    }),
  );
  assert.equal(index.latestFor(ref), null);
});

test("an event without fieldPath is matched by image", () => {
  const index = new PullEventIndex(new Map([["default/app-1", null]]));
  index.add(failed(`Failed to pull image "${IMG}": x`, "2026-03-01T10:00:00Z", { fieldPath: undefined }));
  assert.equal(index.latestFor(ref)?.message, `Failed to pull image "${IMG}": x`);
});
