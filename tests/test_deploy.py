"""The deployment files: the Dockerfile's shape, the Compose file and the Kubernetes manifests against
their published schemas (check-jsonschema's vendored compose-spec, kubernetes-validate's schemas; both
offline)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
K8S = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))


def test_the_dockerfile_builds_in_two_stages_and_runs_as_a_user_with_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+\S+", text, flags=re.M)
    assert len(stages) == 2 and "AS build" in text and "COPY --from=build" in text
    user = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD .*/healthz", text, flags=re.M)
    instructions = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"(TOKEN|KEY)=\S", instructions)  # no credentials baked in


def test_the_compose_file_matches_the_compose_spec() -> None:
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    if not Path(checker).exists():
        pytest.skip("check-jsonschema is not installed (dev extra)")
    done = subprocess.run(
        [checker, "--builtin-schema", "vendor.compose-spec", str(ROOT / "deploy" / "compose.yaml")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    replicas = [name for name in compose["services"] if name.startswith("replica")]
    assert len(replicas) == 2 and "redis" in compose["services"]
    assert compose["x-replica"]["environment"]["AGENT_RUNS_REDIS_URL"].startswith("redis://redis:")


@pytest.mark.parametrize("path", K8S, ids=[p.name for p in K8S])
def test_kubernetes_manifests_validate(path: Path) -> None:
    kv = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate is not installed (dev extra)")
    for doc in yaml.safe_load_all(path.read_text()):
        kv.validate(doc, "1.30.0", strict=True)


def test_the_deployment_probes_health_and_reads_secrets_by_reference() -> None:
    deployment = yaml.safe_load((ROOT / "deploy" / "k8s" / "deployment.yaml").read_text())
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["envFrom"] == [{"secretRef": {"name": "agent-runs-mcp"}}]
    assert all("TOKEN" not in e["name"] and "KEY" not in e["name"] for e in container["env"])
    kinds = {yaml.safe_load(p.read_text())["kind"] for p in K8S}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "Secret"} <= kinds
