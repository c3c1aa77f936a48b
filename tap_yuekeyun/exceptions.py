"""Errors of the tap that callers tell apart, all fatal for the run."""

from __future__ import annotations

from singer_sdk.exceptions import FatalAPIError


class YuekeyunError(FatalAPIError):
    """Root of the tap's own errors: the run stops, nothing is dropped."""


class DownloadUrlError(YuekeyunError):
    """A download URL cannot be decrypted or is not allowed by ``download_hosts``."""


class FileFormatError(YuekeyunError):
    """A downloaded file cannot be read: bytes, layout, row shape or a value."""


class UrlExpiredError(YuekeyunError):
    """The file host answered 403 for a pre-signed URL (expired)."""
