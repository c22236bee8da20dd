"""User text can never make WeasyPrint fetch a URL or read a file."""

from __future__ import annotations

import pytest

from passage.dossier import actions
from passage.dossier.fetcher import AssetRegistry, RefusedURLError, RestrictiveFetcher
from passage.dossier.render import html_to_pdf
from tests.dossier.conftest import PATHWAY, run

HOSTILE = ('<img src="file:///etc/passwd"> <img src="http://127.0.0.1:9/leak.png"> '
           '<link rel="stylesheet" href="https://example.org/x.css"> <style>@import "file:///etc/hostname";</style> '
           '<a rel="attachment" href="file:///etc/passwd">x</a> <div style="background: url(file:///etc/passwd)">y</div>')  # fmt: skip


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.org/a", "ftp://x/y",
                                 "data:text/plain;base64,cm9vdDp4OjA6MA==", "/etc/passwd", "relative.png"])  # fmt: skip
def test_the_fetcher_refuses_everything_it_did_not_create(url):
    fetcher = RestrictiveFetcher(AssetRegistry())
    with pytest.raises(RefusedURLError):
        fetcher.fetch(url)
    assert fetcher.refused


def test_registered_data_is_served():
    registry = AssetRegistry()
    uri = registry.add(b"\x89PNG...", "image/png")
    response = RestrictiveFetcher(registry).fetch(uri)
    assert response.read() == b"\x89PNG..." and response.content_type == "image/png"


def test_raw_html_with_file_and_http_urls_gets_nothing():
    """Even HTML that escaped escaping could not read /etc/passwd or reach the network."""
    pdf, _document, fetcher = html_to_pdf(f"<html><body><p>Привет</p>{HOSTILE}</body></html>", AssetRegistry())
    assert {"file", "http", "https"} <= set(fetcher.refused)
    text = run("pdftotext", "-", "-", data=pdf)
    assert "Привет" in text and "root:" not in text
    assert b"root:x:0:0" not in pdf


def test_user_text_in_a_dossier_stays_text(office):
    from tests.evidence import files
    from tests.evidence.conftest import add

    item = add(office, files.text_pdf("x"), kind="proof_of_threats", title='<img src="file:///etc/passwd">')
    dossier = actions.generate(office.lawyer, office.case, pathway_id=PATHWAY, language="en", item_ids=[item.id],
                               letter=f"Dear embassy, {HOSTILE}", statement='<script>alert(1)</script> http://evil.example/')  # fmt: skip
    pdf = actions.dossier_bytes(office.lawyer, dossier)
    text = " ".join(run("pdftotext", "-", "-", data=pdf).split())
    assert '<img src="file:///etc/passwd">' in text and "<script>alert(1)</script>" in text
    assert "root:" not in text and b"root:x:0:0" not in pdf
