"""pip-audit, saying how much it really checked (`make audit`).

pip-audit prints "No known vulnerabilities found" and exits 0 even when it
could audit nothing (no vulnerability service reachable: every package is
"not found on PyPI and could not be audited"). This runs it with JSON output
and says how many packages were audited:

- every package audited, nothing found: "checked", exit 0;
- some or none audited: "PARTLY CHECKED" / "NOT CHECKED", exit 0 (an offline
  build is not failed, but never told it is clean);
- a known vulnerability in any package: each is listed, exit 1;
- pip-audit failing without a report: its error, exit 2.

The project itself (installed editable, not on PyPI) is left out.
"""

import json
import subprocess
import sys

PROJECT = "imidkb"
COMMAND = [sys.executable, "-m", "pip_audit", "--format", "json"]
COMMAND += ["--progress-spinner", "off", "--skip-editable"]


def summarize(report: dict) -> tuple[list[str], int]:
    """The lines to print and the exit status for a pip-audit JSON report."""
    packages = [d for d in report.get("dependencies", []) if d["name"] != PROJECT]
    skipped = [d for d in packages if "skip_reason" in d]
    audited = [d for d in packages if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    total = len(packages)
    if vulnerable:
        count = sum(len(d["vulns"]) for d in vulnerable)
        lines = [
            f"pip-audit: {count} known vulnerabilities in {len(vulnerable)} "
            f"packages ({len(audited)} of {total} packages audited): FAILED"
        ]
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
                lines.append(
                    f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})"
                )
        return lines, 1
    if not audited:
        reason = skipped[0]["skip_reason"] if skipped else "no packages found"
        return [
            f"pip-audit: 0 of {total} packages audited (vulnerability service "
            f"unreachable?): NOT CHECKED",
            f"  e.g. {reason}",
        ], 0
    if skipped:
        names = ", ".join(d["name"] for d in skipped[:5])
        return [
            f"pip-audit: {len(audited)} of {total} packages audited, no known "
            f"vulnerabilities; {len(skipped)} could not be audited ({names}"
            f"{', ...' if len(skipped) > 5 else ''}): PARTLY CHECKED"
        ], 0
    return [
        f"pip-audit: all {total} packages audited, no known vulnerabilities: checked"
    ], 0


def main() -> int:
    result = subprocess.run(COMMAND, capture_output=True, text=True)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print(result.stderr[-2000:], file=sys.stderr)
        print(
            f"pip-audit gave no report (exit {result.returncode}): NOT CHECKED",
            file=sys.stderr,
        )
        return 2
    lines, status = summarize(report)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
