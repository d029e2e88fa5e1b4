import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { makeNodeRoot } from "../testing/node-root.ts";
import { CONTAINERD_CONFIG, readContainerdConfig } from "./config.ts";
import { minimalConfig, withConfigPath } from "./config-path-edit.ts";

function edit(text: string) {
  const node = makeNodeRoot({ [CONTAINERD_CONFIG]: text });
  try {
    return withConfigPath(text, readContainerdConfig(node.fs));
  } finally {
    node.cleanup();
  }
}

const CP = 'config_path = "/etc/containerd/certs.d"';

describe("withConfigPath", () => {
  const cases: [string, string, string][] = [
    [
      "v2 without a registry table: appended",
      "version = 2\n# keep me\n",
      `version = 2\n# keep me\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n  ${CP}\n`,
    ],
    [
      "v2 with the header: inserted under it, indented like its keys",
      'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n    # creds below\n    [plugins."io.containerd.grpc.v1.cri".registry.auths]\n',
      `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  ${CP}\n    # creds below\n    [plugins."io.containerd.grpc.v1.cri".registry.auths]\n`,
    ],
    [
      "v2 with an empty config_path: the value is filled in, the comment kept",
      'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "" # set me\n',
      `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  ${CP} # set me\n`,
    ],
    [
      "v3: the cri.v1.images table",
      'version = 3\n[plugins."io.containerd.cri.v1.images"]\n  snapshotter = "overlayfs"\n',
      `version = 3\n[plugins."io.containerd.cri.v1.images"]\n  snapshotter = "overlayfs"\n\n[plugins."io.containerd.cri.v1.images".registry]\n  ${CP}\n`,
    ],
    [
      "no trailing newline",
      "version = 2",
      `version = 2\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n  ${CP}\n`,
    ],
  ];
  for (const [name, before, after] of cases) {
    test(name, () => {
      const result = edit(before);
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.text, after);
    });
  }

  test("a registry table written inline is refused with the snippet to add", () => {
    const result = edit('version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  registry = { auths = {} }\n');
    assert.ok(!result.ok);
    assert.match(result.refusal.reason, /without rewriting other settings/);
    assert.ok(result.refusal.manual.includes(`  ${CP}`), result.refusal.manual.join("\n"));
  });

  test("the minimal config parses as version 2 with config_path", () => {
    const node = makeNodeRoot({ [CONTAINERD_CONFIG]: minimalConfig() });
    try {
      const config = readContainerdConfig(node.fs);
      assert.equal(config.version, 2);
      assert.equal(config.configPath, "/etc/containerd/certs.d");
    } finally {
      node.cleanup();
    }
  });
});
