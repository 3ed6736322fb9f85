"""A WeasyPrint URL fetcher that never leaves the machine.

WeasyPrint fetches every URL a document names (stylesheets, images, ``@import``, attachments).
Its default fetcher follows http(s) and reads any local file, so a stray URL in rendered text
could make the server call out (SSRF) or embed ``/etc/passwd`` in a PDF. This fetcher serves
only files under one folder (``static/guidance``) and ``data:`` URLs; everything else raises,
and WeasyPrint skips the resource with a logged warning.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse


class BlockedURL(ValueError):
    """A URL the guidance renderer refuses to fetch."""


class LocalOnlyFetcher(URLFetcher):
    """Serve ``file:`` URLs below ``root`` and ``data:`` URLs; refuse everything else."""

    def __init__(self, root: str | Path, **kwargs):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, **kwargs)
        self.root = Path(root).resolve()

    def local_path(self, url: str) -> Path:
        """The file a ``file:`` URL names, if it lies below ``root``; else raise BlockedURL."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise BlockedURL(f"blocked (not a file URL): {url}")
        if parts.netloc not in ("", "localhost"):
            raise BlockedURL(f"blocked (remote host in file URL): {url}")
        try:
            path = Path(unquote(parts.path)).resolve()
        except (OSError, ValueError) as exc:
            raise BlockedURL(f"blocked (bad path): {url}") from exc
        if not path.is_relative_to(self.root) or not path.is_file():
            raise BlockedURL(f"blocked (outside {self.root}): {url}")
        return path

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        path = self.local_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
        )
