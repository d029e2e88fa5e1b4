/**
 * Hand-picked config trees: one or more per root cause the differential suite
 * exists for (issue 22) and per rule regtrust mirrors. `$ROOT` is replaced by
 * the case directory; file contents starting with "@" name PKI material
 * (see materialize.ts). A value of null makes a directory.
 */
export interface TreeCase {
  id: string;
  registry: string;
  /** config.toml text; its config_path names roots under $ROOT. */
  config: string;
  files: Record<string, string | null>;
}

const V2 = (roots = "$ROOT/certs.d") =>
  `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "${roots}"\n`;
const REG = "reg.example.com";

function hostsCase(
  id: string,
  hosts: string,
  extra: Record<string, string | null> = {},
  registry = REG,
): TreeCase {
  return {
    id,
    registry,
    config: V2(),
    files: { [`certs.d/${registry.replace(/:(\d+)$/, "_$1_")}/hosts.toml`]: hosts, ...extra },
  };
}

export function handPickedCases(): TreeCase[] {
  const dir = `certs.d/${REG}`;
  return [
    // 1. _default already in 1.6.20
    { id: "default-dir-ca", registry: REG, config: V2(), files: { "certs.d/_default/ca.crt": "@ca1" } },
    {
      id: "default-dir-hosts",
      registry: REG,
      config: V2(),
      files: {
        "certs.d/_default/hosts.toml": '[host."https://mirror.example.com"]\n  ca = "ca.crt"\n',
        "certs.d/_default/ca.crt": "@ca2",
      },
    },
    {
      id: "default-dir-missing-ca",
      registry: REG,
      config: V2(),
      files: {
        "certs.d/_default/hosts.toml":
          'server = "https://reg.example.com"\nca = "/nonexistent/ca.crt"\n[host]\n',
      },
    },
    {
      id: "specific-beats-default",
      registry: REG,
      config: V2(),
      files: { [`${dir}/a.crt`]: "@ca1", "certs.d/_default/b.crt": "@ca2" },
    },
    // 2. v1 configs decode the CRI plugin under `cri`
    {
      id: "v1-noversion-grpc-table",
      registry: REG,
      config: '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "$ROOT/certs.d"\n',
      files: { [`${dir}/ca.crt`]: "@ca1" },
    },
    {
      id: "v1-version1-grpc-table",
      registry: REG,
      config:
        'version = 1\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "$ROOT/certs.d"\n',
      files: { [`${dir}/ca.crt`]: "@ca1" },
    },
    {
      id: "v1-cri-table",
      registry: REG,
      config: '[plugins.cri.registry]\n  config_path = "$ROOT/certs.d"\n',
      files: { [`${dir}/ca.crt`]: "@ca1" },
    },
    {
      id: "v1-both-tables",
      registry: REG,
      config:
        '[plugins.cri.registry]\n  config_path = "$ROOT/certs.d"\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "$ROOT/other"\n',
      files: { [`${dir}/ca.crt`]: "@ca1", [`other/${REG}/ca.crt`]: "@ca2" },
    },
    {
      id: "v2-short-plugin-key",
      registry: REG,
      config: 'version = 2\n[plugins.cri.registry]\n  config_path = "$ROOT/certs.d"\n',
      files: { [`${dir}/ca.crt`]: "@ca1" },
    },
    {
      id: "v3-images-table",
      registry: REG,
      config:
        'version = 3\n[plugins."io.containerd.cri.v1.images".registry]\n  config_path = "$ROOT/certs.d"\n',
      files: { [`${dir}/ca.crt`]: "@ca1" },
    },
    {
      id: "v3-grpc-table",
      registry: REG,
      config:
        'version = 3\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "$ROOT/certs.d"\n',
      files: { [`${dir}/ca.crt`]: "@ca1" },
    },
    {
      id: "config-path-not-string",
      registry: REG,
      config: 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = 5\n',
      files: {},
    },
    {
      id: "config-unparseable",
      registry: REG,
      config: 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry\n',
      files: {},
    },
    { id: "config-path-empty", registry: REG, config: V2(""), files: { [`${dir}/ca.crt`]: "@ca1" } },
    // 3. client certificates
    hostsCase(
      "client-missing",
      'server = "https://reg.example.com"\nclient = "/nonexistent/client.pem"\n[host]\n',
    ),
    hostsCase("client-combined", '[host."https://reg.example.com"]\n  client = "client.pem"\n', {
      [`${dir}/client.pem`]: "@combined",
    }),
    hostsCase("client-pair", '[host."https://reg.example.com"]\n  client = [["c.cert", "c.key"]]\n', {
      [`${dir}/c.cert`]: "@clientCert",
      [`${dir}/c.key`]: "@clientKey",
    }),
    hostsCase(
      "client-pair-mismatch",
      '[host."https://reg.example.com"]\n  client = [["c.cert", "c.key"]]\n',
      { [`${dir}/c.cert`]: "@clientCert", [`${dir}/c.key`]: "@otherKey" },
    ),
    hostsCase("client-pair-empty-key", '[host."https://reg.example.com"]\n  client = [["c.cert", ""]]\n', {
      [`${dir}/c.cert`]: "@clientCert",
    }),
    hostsCase("client-bad-pair", '[host."https://reg.example.com"]\n  client = [["a", "b", "c"]]\n', {
      [`${dir}/a.crt`]: "@ca3",
    }),
    {
      id: "certsd-cert-without-key",
      registry: REG,
      config: V2(),
      files: { [`${dir}/client.cert`]: "@clientCert", [`${dir}/ca.crt`]: "@ca1" },
    },
    {
      id: "certsd-cert-with-key",
      registry: REG,
      config: V2(),
      files: { [`${dir}/client.cert`]: "@clientCert", [`${dir}/client.key`]: "@clientKey" },
    },
    {
      id: "certsd-cert-combined",
      registry: REG,
      config: V2(),
      files: { [`${dir}/client.cert`]: "@combined" },
    },
    {
      id: "certsd-key-only",
      registry: REG,
      config: V2(),
      files: { [`${dir}/client.key`]: "@clientKey", [`${dir}/ca.crt`]: "@ca4" },
    },
    {
      id: "certsd-garbage-cert",
      registry: REG,
      config: V2(),
      files: { [`${dir}/client.cert`]: "@garbage", [`${dir}/client.key`]: "@clientKey" },
    },
    // 4. go-toml 1.9 quirks
    hostsCase("ws-only-hosts-toml", "  \n\t\n", { [`${dir}/ca.crt`]: "@ca1" }),
    hostsCase("comment-only-hosts-toml", "# nothing here\n", { [`${dir}/ca.crt`]: "@ca1" }),
    hostsCase("empty-host-table", '[host]\nca = "ca.crt"\nserver = "https://reg.example.com"\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    hostsCase("empty-host-table-top-ca", 'ca = "ca.crt"\n[host]\n', {
      [`${dir}/ca.crt`]: "@ca1",
      [`${dir}/other.crt`]: "@ca2",
    }),
    hostsCase("hostless-hosts-toml", 'server = "https://reg.example.com"\nca = "ca.crt"\n', {
      [`${dir}/ca.crt`]: "@ca1",
      [`${dir}/x.crt`]: "@ca2",
    }),
    hostsCase("inline-host", 'host = { "https://reg.example.com" = { ca = "ca.crt" } }\n', {
      [`${dir}/ca.crt`]: "@ca1",
      [`${dir}/x.crt`]: "@ca2",
    }),
    hostsCase("inline-host-trailing-comma", 'host = { "https://reg.example.com" = { ca = "ca.crt", } }\n', {
      [`${dir}/ca.crt`]: "@ca1",
      [`${dir}/x.crt`]: "@ca2",
    }),
    hostsCase("inline-host-multiline", 'host = { "https://reg.example.com" = {\n ca = "ca.crt" } }\n', {
      [`${dir}/ca.crt`]: "@ca1",
      [`${dir}/x.crt`]: "@ca2",
    }),
    hostsCase("array-of-tables-one", '[[host."https://reg.example.com"]]\n  ca = "ca.crt"\n', {
      [`${dir}/ca.crt`]: "@ca1",
      [`${dir}/x.crt`]: "@ca2",
    }),
    hostsCase(
      "array-of-tables-two",
      '[[host."https://m.example.com"]]\n  ca = "ca.crt"\n[host."https://reg.example.com"]\n  ca = "ca.crt"\n',
      { [`${dir}/ca.crt`]: "@ca1" },
    ),
    hostsCase(
      "host-entry-string-two",
      'host."https://a.example.com" = "x"\n[host."https://reg.example.com"]\n  ca = "ca.crt"\n',
      { [`${dir}/ca.crt`]: "@ca1" },
    ),
    hostsCase("array-trailing-comma", '[host."https://reg.example.com"]\n  ca = ["ca.crt",]\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    hostsCase(
      "host-order",
      '[host."https://b.example.com"]\n  ca = "b.crt"\n[host."https://a.example.com"]\n  ca = "a.crt"\n[host."https://reg.example.com"]\n',
      { [`${dir}/a.crt`]: "@ca1", [`${dir}/b.crt`]: "@ca2" },
    ),
    hostsCase("dotted-host-key", '[host."https://reg.example.com"]\n  ca = "ca.crt"\n  header.x-a = "1"\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    // 5. host directory that is a regular file, and friends
    { id: "host-dir-is-file", registry: REG, config: V2(), files: { [dir]: "not a directory" } },
    { id: "root-is-file", registry: REG, config: V2(), files: { "certs.d": "not a directory" } },
    {
      id: "hosts-toml-is-dir",
      registry: REG,
      config: V2(),
      files: { [`${dir}/hosts.toml`]: null, [`${dir}/ca.crt`]: "@ca1" },
    },
    {
      id: "crt-is-dir",
      registry: REG,
      config: V2(),
      files: { [`${dir}/sub.crt`]: null, [`${dir}/ca.crt`]: "@ca1" },
    },
    {
      id: "second-root",
      registry: REG,
      config: V2("$ROOT/a:$ROOT/b"),
      files: { "a/other.example.com/ca.crt": "@ca1", [`b/${REG}/ca.crt`]: "@ca2" },
    },
    {
      id: "first-root-default-wins",
      registry: REG,
      config: V2("$ROOT/a:$ROOT/b"),
      files: { "a/_default/ca.crt": "@ca1", [`b/${REG}/ca.crt`]: "@ca2" },
    },
    {
      id: "missing-root",
      registry: REG,
      config: V2("$ROOT/none:$ROOT/b"),
      files: { [`b/${REG}/ca.crt`]: "@ca2" },
    },
    // 6. loopback rules and http:// with TLS
    ...[
      "localhost:5000",
      "localhost",
      "127.0.0.1:443",
      "127.0.0.1:80",
      "127.0.0.2:5000",
      "[::1]:5000",
      "[::1]",
    ].flatMap((registry) => [
      { id: `loopback-none-${registry}`, registry, config: V2(), files: { "certs.d/other/x": "" } },
      {
        id: `loopback-crt-${registry}`,
        registry,
        config: V2(),
        files: { [`certs.d/${registry.replace(/:(\d+)$/, "_$1_")}/ca.crt`]: "@ca1" },
      },
      hostsCase(`loopback-server-${registry}`, `server = "https://${registry}"\n[host]\n`, {}, registry),
      hostsCase(`loopback-noserver-skip-false-${registry}`, "skip_verify = false\n[host]\n", {}, registry),
    ]),
    hostsCase("http-with-ca", '[host."http://reg.example.com:5000"]\n  ca = "ca.crt"\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    hostsCase("http-skip-false", '[host."http://reg.example.com:5000"]\n  skip_verify = false\n'),
    hostsCase("http-port-80-ca", '[host."http://reg.example.com:80"]\n  ca = "ca.crt"\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    hostsCase("http-no-port-ca", '[host."http://reg.example.com"]\n  ca = "ca.crt"\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    hostsCase("http-plain", '[host."http://reg.example.com:5000"]\n'),
    hostsCase("http-empty-client", '[host."http://reg.example.com:5000"]\n  client = []\n'),
    hostsCase("http-empty-ca", '[host."http://reg.example.com:5000"]\n  ca = []\n'),
    hostsCase("server-http-ca", 'server = "http://reg.example.com:5000"\nca = "ca.crt"\n[host]\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    // defaults, paths, capabilities
    hostsCase(
      "dockerio-noserver",
      'ca = "ca.crt"\n[host]\n',
      { "certs.d/docker.io/ca.crt": "@ca1" },
      "docker.io",
    ),
    hostsCase("server-path", 'server = "https://reg.example.com/sub/"\n[host]\n'),
    hostsCase("server-path-v2", 'server = "https://reg.example.com/v2"\n[host]\n'),
    hostsCase("override-path", '[host."https://reg.example.com/api"]\n  override_path = true\n'),
    hostsCase("override-path-none", '[host."https://reg.example.com"]\n  override_path = true\n'),
    hostsCase("no-scheme-host", '[host."reg.example.com:5000"]\n  capabilities = ["pull"]\n'),
    hostsCase("top-caps-reset", 'capabilities = ["pull"]\n[host]\n'),
    hostsCase("caps-upper", '[host."https://reg.example.com"]\n  capabilities = ["PULL", "Resolve"]\n'),
    hostsCase("caps-unknown", '[host."https://reg.example.com"]\n  capabilities = ["pull", "fetch"]\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    hostsCase(
      "caps-referrers",
      '[host."https://reg.example.com"]\n  capabilities = ["pull", "referrers"]\n',
      { [`${dir}/ca.crt`]: "@ca1" },
    ),
    hostsCase("caps-string", '[host."https://reg.example.com"]\n  capabilities = "pull"\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    hostsCase("skip-string", '[host."https://reg.example.com"]\n  skip_verify = "true"\n', {
      [`${dir}/ca.crt`]: "@ca1",
    }),
    hostsCase("ca-int", '[host."https://reg.example.com"]\n  ca = 5\n', { [`${dir}/ca.crt`]: "@ca1" }),
    hostsCase("ca-missing", '[host."https://reg.example.com"]\n  ca = "missing.crt"\n'),
    hostsCase("ca-garbage", '[host."https://reg.example.com"]\n  ca = "bad.crt"\n', {
      [`${dir}/bad.crt`]: "@garbage",
    }),
    hostsCase("ca-key-only", '[host."https://reg.example.com"]\n  ca = "k.pem"\n', {
      [`${dir}/k.pem`]: "@clientKey",
    }),
    hostsCase("ca-list", '[host."https://reg.example.com"]\n  ca = ["a.crt", "/ABS/b.crt"]\n', {
      [`${dir}/a.crt`]: "@ca1",
      "abs/b.crt": "@ca2",
    }),
    hostsCase(
      "mirror-ca-missing",
      '[host."https://m.example.com"]\n  ca = "nope.crt"\n[host."https://reg.example.com"]\n  ca = "a.crt"\n',
      { [`${dir}/a.crt`]: "@ca1" },
    ),
    hostsCase(
      "header-int",
      '[host."https://reg.example.com"]\n  ca = "a.crt"\n  [host."https://reg.example.com".header]\n    x = 1\n',
      { [`${dir}/a.crt`]: "@ca1", [`${dir}/b.crt`]: "@ca2" },
    ),
    hostsCase("server-int", "server = 5\n[host]\n", { [`${dir}/a.crt`]: "@ca1" }),
    hostsCase("bad-url", '[host."https://[bad"]\n  ca = "a.crt"\n', {
      [`${dir}/a.crt`]: "@ca1",
      [`${dir}/b.crt`]: "@ca2",
    }),
    hostsCase("toml-syntax", '[host."https://reg.example.com"\n  ca = "a.crt"\n', {
      [`${dir}/a.crt`]: "@ca1",
    }),
    hostsCase("dial-timeout", '[host."https://reg.example.com"]\n  dial_timeout = 5\n  ca = "a.crt"\n', {
      [`${dir}/a.crt`]: "@ca1",
    }),
    {
      id: "port-dir-both",
      registry: "reg.example.com:5000",
      config: V2(),
      files: { "certs.d/reg.example.com_5000_/a.crt": "@ca1", "certs.d/reg.example.com:5000/b.crt": "@ca2" },
    },
    {
      id: "port-dir-colon-only",
      registry: "reg.example.com:5000",
      config: V2(),
      files: { "certs.d/reg.example.com:5000/b.crt": "@ca2" },
    },
    {
      id: "port-dir-no-port-registry",
      registry: REG,
      config: V2(),
      files: { "certs.d/reg.example.com_443_/b.crt": "@ca2" },
    },
  ];
}
