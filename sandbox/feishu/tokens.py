"""Tenant access tokens: issue, reuse within the 30-minute rule, expire."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.feishu.clock import Clock
from sandbox.feishu.errors import ApiError

TOKEN_LIFETIME_S = 7200
REISSUE_BELOW_S = 1800


@dataclass(frozen=True)
class IssuedToken:
    """A token, the app it belongs to and its absolute expiry."""

    value: str
    app_id: str
    expires_at: float


class TokenIssuer:
    """Issues ``t-`` tokens per app and answers which app a token belongs to."""

    def __init__(self, apps: Mapping[str, str], clock: Clock) -> None:
        self._apps = dict(apps)
        self._clock = clock
        self._lock = threading.Lock()
        self._by_value: dict[str, IssuedToken] = {}
        self._current: dict[str, IssuedToken] = {}

    def issue(self, app_id: object, app_secret: object) -> tuple[str, int]:
        """Return ``(token, expire_seconds)`` for valid credentials.

        Raises:
            ApiError: 10003 for an unknown or malformed app id, 10014 for a wrong
                secret.
        """
        if not isinstance(app_id, str) or app_id not in self._apps:
            error = ApiError(10003, "invalid param", http_status=200)
            raise error
        if not isinstance(app_secret, str) or app_secret != self._apps[app_id]:
            error = ApiError(10014, "app secret invalid", http_status=200)
            raise error

        now = self._clock.now()
        with self._lock:
            current = self._current.get(app_id)
            if current is not None and current.expires_at - now >= REISSUE_BELOW_S:
                return current.value, int(current.expires_at - now)
            token = IssuedToken(
                "t-" + secrets.token_hex(20), app_id, now + TOKEN_LIFETIME_S
            )
            self._by_value[token.value] = token
            self._current[app_id] = token
        return token.value, TOKEN_LIFETIME_S

    def app_for(self, token_value: str) -> str | None:
        """The app id of a valid token, or None if unknown or expired."""
        now = self._clock.now()
        with self._lock:
            token = self._by_value.get(token_value)
            if token is None or token.expires_at <= now:
                return None
        return token.app_id

    def expire_all(self) -> None:
        """Invalidate every token issued so far."""
        with self._lock:
            self._by_value.clear()
            self._current.clear()
