"""`make audit` says how many packages pip-audit really audited
(.ci/pip_audit_report.py)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / ".ci" / "pip_audit_report.py"
spec = importlib.util.spec_from_file_location("pip_audit_report", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

UNREACHABLE = "Dependency not found on PyPI and could not be audited: {} (1.0)"


def dep(name, vulns=None, skipped=False):
    if skipped:
        return {"name": name, "skip_reason": UNREACHABLE.format(name)}
    return {"name": name, "version": "1.0", "vulns": vulns or []}


VULN = {"id": "PYSEC-2099-1", "fix_versions": ["1.1"], "description": "bad"}


@pytest.mark.parametrize(
    ("deps", "expected", "status"),
    [
        (
            [dep("django", skipped=True), dep("redis", skipped=True)],
            "pip-audit: 0 of 2 packages audited (vulnerability service "
            "unreachable?): NOT CHECKED",
            0,
        ),
        (
            [dep("django"), dep("redis", skipped=True)],
            "pip-audit: 1 of 2 packages audited, no known vulnerabilities; "
            "1 could not be audited (redis): PARTLY CHECKED",
            0,
        ),
        (
            [dep("django"), dep("redis")],
            "pip-audit: all 2 packages audited, no known vulnerabilities: checked",
            0,
        ),
        (
            [dep("django", [VULN]), dep("redis", skipped=True)],
            "pip-audit: 1 known vulnerabilities in 1 packages (1 of 2 packages "
            "audited): FAILED",
            1,
        ),
    ],
)
def test_the_summary_says_how_much_was_audited(deps, expected, status):
    """No audit is ever reported clean; findings fail, an offline run not."""
    lines, code = audit.summarize({"dependencies": deps, "fixes": []})
    assert lines[0] == expected
    assert code == status
    if status == 1:
        assert lines[1] == "  django 1.0: PYSEC-2099-1 (fixed in 1.1)"


def test_the_project_itself_is_not_counted():
    lines, _ = audit.summarize({"dependencies": [dep("imidkb", skipped=True)]})
    assert lines[0].startswith("pip-audit: 0 of 0 packages audited")


def fake_pip_audit(monkeypatch, output: str):
    code = f"import sys; sys.stdout.write({output!r}); sys.exit(1)"
    monkeypatch.setattr(audit, "COMMAND", [sys.executable, "-c", code])


def test_a_finding_fails_the_build(monkeypatch, capsys):
    report = {"dependencies": [dep("django", [VULN])], "fixes": []}
    fake_pip_audit(monkeypatch, json.dumps(report))
    assert audit.main() == 1
    assert "PYSEC-2099-1" in capsys.readouterr().out


def test_pip_audit_without_a_report_is_not_a_pass(monkeypatch, capsys):
    fake_pip_audit(monkeypatch, "Traceback: something broke")
    assert audit.main() == 2
    assert "NOT CHECKED" in capsys.readouterr().err
