"""deploy/spinkube/ against spin.toml and the SpinApp resource of spin-operator.

kubernetes-validate (tests/aws/run) checks the built-in kinds offline but has no schema for the
SpinApp custom resource, so its shape is checked here: the field names are those of
spin-operator's api/v1alpha1/spinapp_types.go (core.spinkube.dev/v1alpha1).
"""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPINKUBE = ROOT / "deploy" / "spinkube"

SPEC_FIELDS = {
    "executor", "image", "imagePullSecrets", "checks", "replicas", "enableAutoscaling",
    "runtimeConfig", "volumes", "volumeMounts", "variables", "serviceAnnotations",
    "deploymentAnnotations", "podAnnotations", "podLabels", "resources", "components",
    "serviceAccountName", "invocationLimits",
}
PROBE_FIELDS = {"httpGet", "initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                "successThreshold", "failureThreshold"}
RUNTIME_CONFIG_FIELDS = {"loadFromSecret", "sqliteDatabases", "keyValueStores", "llmCompute"}
# Spin variables that are for local use only and deliberately not wired to the Secret.
LOCAL_ONLY = {"dry_run", "allow_unauthenticated"}


def documents(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def spinapp():
    (app,) = documents(SPINKUBE / "spinapp.yaml")
    return app


def secret():
    (s,) = documents(SPINKUBE / "secret" / "secret.yaml")
    return s


def test_spinapp_uses_only_spin_operator_fields():
    app = spinapp()
    assert app["apiVersion"] == "core.spinkube.dev/v1alpha1"
    assert app["kind"] == "SpinApp"
    spec = app["spec"]
    assert set(spec) <= SPEC_FIELDS, set(spec) - SPEC_FIELDS
    assert spec["image"] == "ghcr.io/your-org/ecs-deploy-alerts:0.1.0"
    assert spec["executor"] == "containerd-shim-spin"
    assert spec["replicas"] == 2

    assert set(spec["checks"]) <= {"readiness", "liveness"}
    readiness = spec["checks"]["readiness"]
    assert set(readiness) <= PROBE_FIELDS
    assert readiness["httpGet"] == {"path": "/health"}

    runtime = spec["runtimeConfig"]
    assert set(runtime) <= RUNTIME_CONFIG_FIELDS
    (store,) = runtime["keyValueStores"]
    assert set(store) == {"name", "type", "options"}
    assert (store["name"], store["type"]) == ("default", "redis")
    (url,) = store["options"]
    assert url["name"] == "url"
    assert set(url["valueFrom"]) == {"secretKeyRef"}


def test_every_spin_variable_comes_from_the_secret():
    manifest = tomllib.loads((ROOT / "spin.toml").read_text())
    declared = set(manifest["variables"])
    variables = spinapp()["spec"]["variables"]
    names = [v["name"] for v in variables]
    assert len(names) == len(set(names)), names
    assert set(names) == declared - LOCAL_ONLY, (
        f"spin.toml variables not wired in spinapp.yaml: {sorted(declared - LOCAL_ONLY - set(names))}; "
        f"wired but not in spin.toml: {sorted(set(names) - declared)}")
    # A webhook or the Slack app's token and channel: neither is required on its own.
    required = {"api_key"}
    for v in variables:
        assert set(v) == {"name", "valueFrom"}, v  # never an inline value
        ref = v["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "ecs-deploy-alerts"
        assert ref["key"] == v["name"]
        assert ref.get("optional", False) is (v["name"] not in required), v


def test_the_secret_template_has_every_key_the_spinapp_reads():
    data = secret()["stringData"]
    app = spinapp()["spec"]
    refs = [v["valueFrom"]["secretKeyRef"] for v in app["variables"]]
    refs += [o["valueFrom"]["secretKeyRef"] for s in app["runtimeConfig"]["keyValueStores"]
             for o in s["options"] if "valueFrom" in o]
    assert {r["name"] for r in refs} == {secret()["metadata"]["name"]}
    assert {r["key"] for r in refs} == set(data)


def test_the_demo_valkey_is_what_the_secret_points_at():
    deployment, service = documents(SPINKUBE / "valkey.yaml")
    assert (deployment["kind"], service["kind"]) == ("Deployment", "Service")
    port = service["spec"]["ports"][0]["port"]
    assert secret()["stringData"]["redis_url"] == f"redis://{service['metadata']['name']}:{port}"
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
