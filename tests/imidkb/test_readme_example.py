"""The README's scripted example for researchers runs, as written, against
the API (in process: urllib's requests are answered by the WSGI
application, over the knowledge base the test sees), and the README shows
the script exactly as the file has it."""

import io
import re
import runpy
import sys
import urllib.request
from email.message import Message
from io import StringIO
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

SCRIPT = Path(settings.BASE_DIR) / "examples" / "researcher.py"
README = Path(settings.BASE_DIR) / "README.md"


class ApplicationHandler(urllib.request.BaseHandler):
    """http://testserver/... answered by Django's test client."""

    handler_order = 100  # (before urllib's own HTTPHandler)

    def __init__(self):
        self.client = Client()
        self.requests = []

    def http_open(self, request):
        url = urlsplit(request.full_url)
        path = url.path + (f"?{url.query}" if url.query else "")
        self.requests.append(path)
        response = self.client.get(path)
        body = b"".join(response) if response.streaming else response.content
        headers = Message()
        for name, value in response.items():
            headers[name] = value
        if response.status_code >= 400:
            raise HTTPError(
                request.full_url, response.status_code, "", headers, io.BytesIO(body)
            )
        answer = urllib.request.addinfourl(
            io.BytesIO(body), headers, request.full_url, response.status_code
        )
        answer.msg = response.reason_phrase
        return answer


@pytest.fixture
def in_process(monkeypatch):
    handler = ApplicationHandler()
    monkeypatch.setattr(urllib.request, "_opener", None)
    urllib.request.install_opener(urllib.request.build_opener(handler))
    yield handler
    urllib.request.install_opener(None)


def run_script(monkeypatch) -> str:
    out = StringIO()
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), "http://testserver"])
    monkeypatch.setattr(sys, "stdout", out)
    runpy.run_path(str(SCRIPT), run_name="__main__")
    return out.getvalue()


def test_the_researchers_script_runs_as_the_readme_shows_it(
    kb, in_process, monkeypatch
):
    call_command("cutrelease", note="for the example", stdout=StringIO())
    output = run_script(monkeypatch)
    # 1. everything on Crohn's disease, its groups' facts labelled
    assert output.startswith("Crohn's disease (data release 1)")
    assert "stated for the group Inflammatory bowel disease" in output
    assert "    symptom: " in output and "figure " in output
    assert "disease-mechanisms rows for the disease itself" in output
    # 2. the batch lookup found every identifier it asked for
    assert "  systemic-lupus-erythematosus\n" in output
    assert "  rheumatoid-arthritis\n" in output
    assert "  ulcerative-colitis\n" in output
    assert any("identifier=MONDO" in path for path in in_process.requests)
    # 3. the pinned release's checksum was verified
    assert "release 1: " in output and "checksum verified" in output
    assert "data release 1" in output.splitlines()[-1]
    # The README shows the file as it is.
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert SCRIPT.read_text() in blocks


def test_the_script_says_when_there_is_no_release_to_pin(kb, in_process, monkeypatch):
    with pytest.raises(SystemExit, match="No data release yet"):
        run_script(monkeypatch)
