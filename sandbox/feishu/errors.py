"""Feishu API errors: the code, the message and the HTTP status they travel with."""

from __future__ import annotations

from typing import Any

# HTTP status per code where it is not 200 (reference §6.4 and the table pages).
HTTP_STATUS: dict[int, int] = {
    99991400: 429,
    99991403: 400,
    99991661: 400,
    99991663: 400,
    99991201: 404,
    99991301: 405,
    99992402: 400,
    131002: 400,
    131005: 400,
    131006: 400,
    1254011: 400,
    1254013: 400,
    1254014: 400,
    1254015: 400,
    1254016: 400,
    1254018: 400,
    1254024: 400,
    1254026: 400,
    1254028: 400,
    1254029: 400,
    1254030: 400,
    1254034: 403,
    1254037: 400,
    1254074: 400,
    1254302: 403,
    1254607: 400,
    1254608: 403,
    1255001: 500,
    1255006: 400,
    1255040: 504,
    91402: 400,
    91403: 403,
}
for _code in range(1254080, 1254097):
    HTTP_STATUS[_code] = 400


class ApiError(Exception):
    """A business error answered as ``{"code", "msg"}`` with its HTTP status."""

    def __init__(
        self,
        code: int,
        msg: str,
        *,
        http_status: int | None = None,
        error: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.http_status = http_status or HTTP_STATUS.get(code, 200)
        self.error = error
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON envelope of this error."""
        envelope: dict[str, Any] = {"code": self.code, "msg": self.msg, "data": {}}
        if self.error is not None:
            envelope["error"] = self.error
        return envelope


def field_violation(field: str, description: str) -> ApiError:
    """A 99992402 request validation error naming the offending body field."""
    error = {"field_violations": [{"field": field, "description": description}]}
    msg = f"field validation failed: {field}: {description}"
    return ApiError(99992402, msg, error=error)


def wrong_body(description: str) -> ApiError:
    """A 1254001 WrongRequestBody error."""
    return ApiError(1254001, f"WrongRequestBody: {description}")
