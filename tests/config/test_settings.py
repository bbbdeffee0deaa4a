"""Settings from the environment: parsed, checked at start-up, secrets never shown."""

import pytest
from pydantic import ValidationError

import worker
from config.settings import AppSettings, LlmSettings, TemporalSettings, TriageSettings, describe
from web.auth import hash_password


def test_lists_and_host_maps_from_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLOWDESK_FETCH_ALLOW_HOSTS", "a.example, b.example")
    monkeypatch.setenv("FLOWDESK_FETCH_STATIC_HOSTS", "a.example=1.2.3.4,B.example=5.6.7.8")
    monkeypatch.setenv("FLOWDESK_SCORING_TARGET_INDUSTRIES", "robotics,retail")
    settings = AppSettings()
    assert settings.fetch_allow_hosts == ["a.example", "b.example"]
    assert settings.fetch_static_hosts == {"a.example": "1.2.3.4", "b.example": "5.6.7.8"}
    assert settings.scoring_target_industries == ["robotics", "retail"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FLOWDESK_FETCH_STATIC_HOSTS": "a.example"}, "expected host=ip"),
        ({"FLOWDESK_ENRICHMENT_PROVIDER": "api"}, "FLOWDESK_ENRICHMENT_API_URL"),
        (
            {"FLOWDESK_ENRICHMENT_PROVIDER": "api", "FLOWDESK_ENRICHMENT_API_URL": "https://x"},
            "{domain}",
        ),
        ({"FLOWDESK_MAIL_TRANSPORT": "smtp"}, "FLOWDESK_SMTP_HOST"),
        ({"FLOWDESK_SCORING_TIER_A_MIN": "20"}, "TIER_A_MIN must exceed"),
        ({"FLOWDESK_FETCH_MAX_BYTES": "10"}, "greater than or equal"),
    ],
)
def test_bad_app_settings_are_refused(monkeypatch: pytest.MonkeyPatch, env: dict, message: str):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
        AppSettings()


def test_temporal_tls_rules(monkeypatch: pytest.MonkeyPatch, tmp_path):
    assert TemporalSettings(api_key="k").use_tls and not TemporalSettings().use_tls
    with pytest.raises(ValidationError, match="go together"):
        TemporalSettings(tls_cert_path=tmp_path / "c.pem")
    with pytest.raises(ValidationError, match="TLS file not found"):
        TemporalSettings(tls_ca_path=tmp_path / "ca.pem")
    (tmp_path / "ca.pem").write_text("a private CA")
    assert TemporalSettings(tls_ca_path=tmp_path / "ca.pem").use_tls  # a CA means TLS
    with pytest.raises(ValidationError):
        TemporalSettings(address="no-port")


def test_triage_deadline_must_follow_sla():
    with pytest.raises(ValidationError, match="must exceed"):
        TriageSettings(sla_minutes=60, final_deadline_minutes=30)


def test_three_variables_switch_the_llm(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1/")
    monkeypatch.setenv("OPENAI_API_KEY", "ollama")
    monkeypatch.setenv("FLOWDESK_LLM_MODEL", "qwen2.5:7b-instruct")
    settings = LlmSettings()
    assert settings.base_url == "http://localhost:11434/v1"
    assert settings.models() == {"default": "qwen2.5:7b-instruct"}


def test_describe_never_shows_secrets():
    shown = str(
        [
            describe(TemporalSettings(api_key="tmprl-secret-key")),
            describe(AppSettings(smtp_password="hunter2", enrichment_api_key="api-secret")),
            describe(LlmSettings(OPENAI_API_KEY="sk-secret")),
        ]
    )
    for secret in ("tmprl-secret-key", "hunter2", "api-secret", "sk-secret"):
        assert secret not in shown
    assert "'api_key': 'set'" in shown


def test_a_short_link_secret_is_refused_and_never_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("FLOWDESK_LINK_SECRET", "too-short-to-sign-links")
    with pytest.raises(SystemExit):
        worker.load_settings()
    err = capsys.readouterr().err
    assert "FLOWDESK_LINK_SECRET" in err and "at least 32 characters" in err
    assert "too-short-to-sign-links" not in err

    monkeypatch.setenv("FLOWDESK_LINK_SECRET", "a-link-secret-long-enough-to-sign-links")
    settings = worker.load_settings()
    assert describe(settings.app)["link_secret"] == "set"
    assert "a-link-secret" not in str([worker.summary(group) for group in vars(settings).values()])
    assert describe(AppSettings(link_secret=None))["link_secret"] == "unset"


def test_the_worker_logs_only_the_web_address_of_the_web_settings(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("FLOWDESK_WEB_USERS", f"rita:{hash_password('pw')}")
    monkeypatch.setenv("FLOWDESK_WEB_PUBLIC_URL", "https://flowdesk.example.com/")
    shown = worker.summary(worker.load_settings().web)
    assert shown == {"public_url": "https://flowdesk.example.com"}


def test_worker_refuses_bad_configuration_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("TEMPORAL_ADDRESS", "not an address")
    monkeypatch.setenv("TEMPORAL_API_KEY", "tmprl-secret-key")
    monkeypatch.setenv("FLOWDESK_MAIL_TRANSPORT", "carrier-pigeon")
    with pytest.raises(SystemExit) as exited:
        worker.load_settings()
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "TEMPORAL_ADDRESS" in err and "FLOWDESK_MAIL_TRANSPORT" in err
    assert "tmprl-secret-key" not in err and "carrier-pigeon" not in err


def test_worker_refuses_bad_outreach_settings_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("FLOWDESK_OUTREACH_DEFAULT_TIMEZONE", "Europe/Atlantis")
    with pytest.raises(SystemExit):
        worker.load_settings()
    assert "FLOWDESK_OUTREACH_DEFAULT_TIMEZONE" in capsys.readouterr().err

    monkeypatch.setenv("FLOWDESK_OUTREACH_DEFAULT_TIMEZONE", "Europe/Lisbon")
    for bad in ("3,soon", "7,3"):
        monkeypatch.setenv("FLOWDESK_OUTREACH_FOLLOW_UP_DAYS", bad)
        with pytest.raises(SystemExit):
            worker.load_settings()
        assert "FLOWDESK_OUTREACH_FOLLOW_UP_DAYS" in capsys.readouterr().err

    monkeypatch.setenv("FLOWDESK_OUTREACH_FOLLOW_UP_DAYS", "2, 4")
    monkeypatch.setenv("FLOWDESK_OUTREACH_HUMAN_TIERS", "A,B")
    settings = worker.load_settings().outreach
    assert settings.follow_up_days == [2, 4] and settings.human_tiers == ["A", "B"]
