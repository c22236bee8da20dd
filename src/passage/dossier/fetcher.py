"""WeasyPrint may fetch nothing but the data we hand it.

WeasyPrint follows every URL in a document (``<img src>``, CSS ``url()``, stylesheets,
attachments), ``file://`` included, unless its URL fetcher says no. User text is escaped by the
templates, so it can never become a tag; this fetcher is the second wall: it answers only
``data:`` URIs that the dossier builder registered itself (images, fonts), by exact match, and
refuses everything else — other ``data:`` URIs, ``file:``, ``http(s):``, relative paths — counting
the refusals (scheme only) so tests can see them. It never touches the network or the disk.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["AssetRegistry", "RefusedURLError", "RestrictiveFetcher"]


class RefusedURLError(ValueError):
    """A URL the dossier builder did not create (the message names the scheme only)."""


class AssetRegistry:
    """The ``data:`` URIs one document may use, with their bytes."""

    def __init__(self) -> None:
        self._assets: dict[str, tuple[str, bytes]] = {}

    def add(self, data: bytes, media_type: str) -> str:
        """Register ``data``; returns the ``data:`` URI to put in the document."""
        uri = f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"
        self._assets[hashlib.sha256(uri.encode("ascii")).hexdigest()] = (media_type, data)
        return uri

    def get(self, uri: str) -> tuple[str, bytes] | None:
        try:
            key = hashlib.sha256(uri.encode("ascii")).hexdigest()
        except UnicodeEncodeError:
            return None
        return self._assets.get(key)


class RestrictiveFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only registered assets."""

    def __init__(self, registry: AssetRegistry) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False, timeout=1)
        self.registry = registry
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        found = self.registry.get(url) if url.startswith("data:") else None
        if found is None:
            scheme = url.split(":", 1)[0].lower() if ":" in url[:12] else "relative"
            self.refused.append(scheme)
            raise RefusedURLError(f"refused a {scheme} URL")
        media_type, data = found
        return URLFetcherResponse(url, body=data, headers={"Content-Type": media_type})

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> Any:  # pragma: no cover - urllib entry point
        raise RefusedURLError("refused")
