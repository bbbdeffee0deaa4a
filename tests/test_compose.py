"""docker-compose.yml cannot run on the build machine; check it parses and is wired right,
and run its CRM set-up script against a real PostgreSQL."""

import os
import re
import secrets
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from adapters.crm.crm_postgres import PostgresCrm
from devstack.postgres import SUPERUSER, PostgresCluster
from models import search_attributes
from tests.postgres import running_cluster

ROOT = Path(__file__).parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_services_present():
    assert {
        "postgresql", "temporal", "temporal-ui", "worker", "temporal-search-attributes",
        "crm-database",
    } <= set(SERVICES)  # fmt: skip


def test_temporal_runs_on_postgres():
    temporal = SERVICES["temporal"]
    assert temporal["environment"]["DB"].startswith("postgres")
    assert temporal["environment"]["POSTGRES_SEEDS"] == "postgresql"
    assert "postgresql" in temporal["depends_on"]


def test_worker_is_built_from_the_repo_and_points_at_temporal():
    worker = SERVICES["worker"]
    assert (ROOT / worker["build"]["context"] / worker["build"]["dockerfile"]).is_file()
    assert worker["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert SERVICES["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_every_search_attribute_is_created_with_its_type():
    command = " ".join(SERVICES["temporal-search-attributes"]["command"])
    created = dict(re.findall(r"(\w+)=(Int|Keyword|Double|Bool|Datetime|Text)\b", command))
    expected = {key.name: key.indexed_value_type.name.title() for key in search_attributes.ALL}
    assert created == expected


def test_the_front_doors_run_from_the_same_image_on_loopback_ports():
    for name, module in (("web", "web"), ("inbound", "inbound")):
        service = SERVICES[name]
        assert service["command"] == ["python", "-m", module]
        assert service["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
        assert all(port.startswith("127.0.0.1:") for port in service["ports"])
    assert "?" in SERVICES["web"]["environment"]["FLOWDESK_WEB_SESSION_SECRET"], "required"


def test_dockerfile_runs_the_worker_and_ships_every_package():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["python", "worker.py"]' in dockerfile
    packages = ("workflows", "policy", "activities", "agents", "models", "config", "client", "web")
    packages += ("inbound", "devstack", "adapters")
    for package in (*packages, "kb"):
        assert f"COPY {package} {package}" in dockerfile


def test_the_image_installs_exactly_the_locked_files():
    """pip checks each file against its hash; the lock pins every dependency the project
    declares, at a version the declaration allows (`make lock` after changing them)."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes --no-deps -r requirements.lock" in dockerfile
    lock = (ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\$", lock, re.M))
    hashed = re.findall(r"^[a-z0-9][a-z0-9._-]*==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", lock, re.M)
    assert len(hashed) == len(pins) > 0
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in map(Requirement, declared):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]}"


def published_ports() -> list[str]:
    return [str(port) for service in SERVICES.values() for port in service.get("ports", [])]


def test_every_port_is_published_on_loopback_only():
    assert published_ports(), "the stack publishes its ports"
    assert all(port.startswith("127.0.0.1:") for port in published_ports())


def required(value: str) -> bool:
    return bool(re.fullmatch(r"\$\{\w+:\?[^}]+\}", value))


def test_no_secret_has_a_default_and_env_example_lists_each_one():
    secrets = {
        name: value
        for service in SERVICES.values()
        for name, value in service.get("environment", {}).items()
        if re.search(r"PASSWORD|PWD|SECRET|KEY", name)
        and not name.startswith(("TEMPORAL_AUTH", "TEMPORAL_TLS"))  # TLS: files in a volume
    }
    assert {"POSTGRES_PASSWORD", "FLOWDESK_PAYLOAD_KEYS", "FLOWDESK_ID_SECRET"} <= set(secrets)
    defaults = {
        name: value
        for name, value in secrets.items()
        if not required(str(value)) and not re.fullmatch(r"\$\{\w+:-\}", str(value))
    }
    assert defaults == {}, "a secret is required (${VAR:?...}) or optional (${VAR:-}), never given"
    example = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"\$\{(\w+):\?", " ".join(map(str, secrets.values()))))
    assert all(re.search(rf"^{name}=$", example, re.M) for name in named)


def test_the_ui_decodes_through_the_web_services_codec_endpoint():
    ui = SERVICES["temporal-ui"]["environment"]
    assert ui["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")
    assert ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"
    for name in ("worker", "web", "inbound"):
        assert required(SERVICES[name]["environment"]["FLOWDESK_PAYLOAD_KEYS"])


def test_the_worker_uses_the_crm_on_the_compose_postgresql_with_its_own_user():
    worker = SERVICES["worker"]
    url = re.fullmatch(
        r"postgresql://(?P<user>\w+):(?P<password>\$\{[^}]+\})@(?P<host>[\w.-]+):5432/(?P<db>\w+)",
        worker["environment"]["FLOWDESK_CRM_URL"],
    )
    assert url, "postgresql://user:${PASSWORD:?...}@host:5432/database"
    assert (url["user"], url["host"], url["db"]) == ("flowdesk", "postgresql", "flowdesk")
    assert required(url["password"]) and "FLOWDESK_CRM_PASSWORD" in url["password"]
    assert worker["depends_on"]["crm-database"]["condition"] == "service_completed_successfully"
    setup = SERVICES["crm-database"]
    assert setup["depends_on"]["postgresql"]["condition"] == "service_healthy"
    assert setup["environment"]["FLOWDESK_CRM_PASSWORD"] == url["password"]
    assert setup["environment"]["PGHOST"] == "postgresql"


def test_the_web_service_corrects_the_suppression_list_in_the_workers_crm():
    web, worker = SERVICES["web"], SERVICES["worker"]
    assert web["environment"]["FLOWDESK_CRM_URL"] == worker["environment"]["FLOWDESK_CRM_URL"]
    assert web["depends_on"]["crm-database"]["condition"] == "service_completed_successfully"


def test_every_required_variable_is_listed_in_env_example():
    named = set(re.findall(r"\$\{(\w+):\?", (ROOT / "docker-compose.yml").read_text()))
    example = (ROOT / ".env.example").read_text()
    assert "FLOWDESK_CRM_PASSWORD" in named
    assert {name for name in named if not re.search(rf"^{name}=$", example, re.M)} == set()


def test_temporal_takes_only_clients_with_the_stacks_certificate(tmp_path: Path):
    """The frontend requires client certificates from the stack's CA; every service that
    talks to it mounts the certificates and presents the client pair under the name the
    server's certificate carries, which the one-shot issues (run here as compose would)."""
    server = SERVICES["temporal"]["environment"]
    assert server["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    assert server["TEMPORAL_TLS_CLIENT1_CA_CERT"] == "/certs/ca.pem"
    name = server["TEMPORAL_TLS_FRONTEND_SERVER_NAME"]
    for service in ("worker", "web", "inbound"):
        env = SERVICES[service]["environment"]
        assert env["TEMPORAL_TLS_CERT_PATH"] == "/certs/client.pem", service
        assert env["TEMPORAL_TLS_CA_PATH"] == "/certs/ca.pem", service
        assert env["TEMPORAL_TLS_SERVER_NAME"] == name, service
    assert SERVICES["temporal-ui"]["environment"]["TEMPORAL_TLS_CERT"] == "/certs/client.pem"
    command = " ".join(SERVICES["temporal-search-attributes"]["command"])
    assert "--tls-cert-path /certs/client.pem" in command and f"--tls-server-name {name}" in command
    clients = ("temporal", "temporal-search-attributes", "temporal-ui", "worker", "web", "inbound")
    for service in clients:
        assert "temporal-certs:/certs:ro" in SERVICES[service]["volumes"], service
    issue = [
        str(tmp_path) if arg == "/certs" else arg for arg in SERVICES["temporal-certs"]["command"]
    ]
    done = subprocess.run([sys.executable, *issue[1:]], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    issued = x509.load_pem_x509_certificate((tmp_path / "server.pem").read_bytes())
    names = issued.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert name in names.get_values_for_type(x509.DNSName)


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresCluster]:
    yield from running_cluster()


async def test_the_crm_database_script_makes_a_user_the_worker_can_migrate_with(
    server: PostgresCluster,
):
    """The one-shot service's script, run as compose would (`$$` is a literal `$`), twice:
    the second run changes nothing, and the worker's URL then opens a migrated CRM."""
    script = SERVICES["crm-database"]["command"][0].replace("$$", "$")
    password = secrets.token_urlsafe(24)
    env = {
        "PATH": f"{server.bin}:{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(server.port),
        "PGUSER": SUPERUSER,
        "PGDATABASE": "postgres",
        "PGPASSWORD": server.password,
        "FLOWDESK_CRM_PASSWORD": password,
    }
    for _ in range(2):
        done = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    url = f"postgresql://flowdesk:{password}@127.0.0.1:{server.port}/flowdesk"
    crm = await PostgresCrm.connect(url, 1)
    try:
        assert await crm.suppression("ada@northwind.example") is None
    finally:
        await crm.close()
