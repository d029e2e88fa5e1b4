/**
 * The planted secrets of secrets-k8s-export.test.ts: unique marker strings,
 * and where they go in the fake cluster and the kubeconfig.
 */
import type { createPrivatePki } from "../../src/pki/generate.ts";
import type { FakeApiServer } from "../k8s/fake-apiserver.ts";
import { type FakeCluster, type Json, wireEvent } from "../k8s/fake-cluster.ts";
import { writeKubeconfig } from "../k8s/kubeconfig-file.ts";

type TestPki = Awaited<ReturnType<typeof createPrivatePki>>;

/** A line from the middle of a PEM body: unique to this key, and what a careless dump would show. */
function pemBodyLine(pem: string): string {
  const body = pem.split("\n").filter((l) => l && !l.startsWith("-----"));
  return body[Math.floor(body.length / 2)]!;
}

export function SECRET_VALUES(clientKeyPem: string, caKeyPem: string) {
  const user = "SECRETROBOTUSER5511";
  const pullPassword = "SECRETPULLPASS2c7e";
  const dockerconfigjson = JSON.stringify({
    auths: {
      "repo.example.com:5000": {
        username: user,
        password: pullPassword,
        auth: Buffer.from(`${user}:${pullPassword}`).toString("base64"),
      },
    },
  });
  return {
    user,
    kubeToken: "SECRETKUBETOKEN8d1e",
    staleToken: "SECRETSTALETOKEN41b0",
    clientKey: pemBodyLine(clientKeyPem),
    clientKeyData: Buffer.from(clientKeyPem).toString("base64").slice(60, 100),
    caKey: pemBodyLine(caKeyPem),
    pullPassword,
    pullSecretData: Buffer.from(dockerconfigjson).toString("base64"),
    pullAuth: Buffer.from(`${user}:${pullPassword}`).toString("base64"),
    podEnv: "SECRETPODENV71c2",
    annotation: "SECRETANNOT4e8b",
    eventToken: "SECRETEVENTTOKEN93d0",
    envPassword: "SECRETENVPASS0e4f",
    envToken: "SECRETENVTOKEN6a1d",
    dockerAuth: Buffer.from(`${user}:SECRETDOCKERPASS77aa`).toString("base64"),
  };
}

export type Secrets = ReturnType<typeof SECRET_VALUES>;

/**
 * Every pod gets an env value, annotations (one a last-applied-configuration
 * holding that env) and an imagePullSecret; the secret itself is served. The
 * failing pod gets an event with a token and a pull error as dockerd words it
 * behind cri-dockerd: the token realm URL carries `account=<username>`.
 */
export function plantInCluster(cluster: FakeCluster, S: Secrets, failingPod: string): void {
  for (const pod of cluster.pods) {
    const spec = pod.spec as { containers: Json[]; imagePullSecrets?: Json[] };
    spec.imagePullSecrets = [{ name: "regcred" }];
    for (const c of spec.containers) c.env = [{ name: "REGISTRY_PASSWORD", value: S.podEnv }];
    const meta = pod.metadata as Json;
    meta.annotations = {
      "example.com/registry-token": S.annotation,
      "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({
        spec: { containers: spec.containers },
      }),
    };
  }
  const failing = cluster.pods.find((p) => (p.metadata as Json).name === failingPod)!;
  const image = ((failing.spec as { containers: Json[] }).containers[0] as { image: string }).image;
  cluster.events.push(
    wireEvent({
      pod: failing,
      reason: "SecretRotated",
      type: "Normal",
      component: "pull-secret-operator",
      message: `imagePullSecret regcred refreshed, token=${S.eventToken}`,
      first: "2026-03-01T09:59:00Z",
    }),
    wireEvent({
      pod: failing,
      container: "app",
      reason: "Failed",
      type: "Warning",
      message: `Failed to pull image "${image}": Error response from daemon: Get "https://auth.example.com/token?account=${S.user}&scope=repository%3Ateam%2Fapp%3Apull&service=repo.example.com": x509: certificate signed by unknown authority`,
      first: "2026-03-01T09:59:30Z",
    }),
  );
}

/** GET of the imagePullSecret, as the API server answers it (base64 data). */
export function servePullSecret(server: FakeApiServer, S: Secrets): void {
  server.extraRoutes.push((req, res, url) => {
    if (req.method !== "GET" || url.pathname !== "/api/v1/namespaces/default/secrets/regcred") return false;
    const body = JSON.stringify({
      kind: "Secret",
      apiVersion: "v1",
      metadata: { name: "regcred", namespace: "default" },
      type: "kubernetes.io/dockerconfigjson",
      data: { ".dockerconfigjson": S.pullSecretData },
    });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
    return true;
  });
}

/** A kubeconfig (`config` in `dir`) whose user has a bearer token and a client certificate with its key inline. */
export function writeSecretKubeconfig(
  dir: string,
  server: Pick<FakeApiServer, "url" | "caPem">,
  token: string,
  client: TestPki,
): string {
  const { certPem, keyPem } = client.leaf;
  return writeKubeconfig({
    dir,
    server: server.url,
    caPem: server.caPem,
    token,
    namespace: "default",
    client: { certPem, keyPem },
  }).path;
}
