"""Retrying an HTTP step on singer-sdk's retriable errors, with exponential backoff."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

Result = TypeVar("Result")


def with_retries(
    step: Callable[[], Result],
    *,
    max_tries: int,
    backoff_base_seconds: float,
    logger: logging.Logger,
) -> Result:
    """Run ``step`` until it succeeds, retrying ``RetriableAPIError`` with backoff.

    Raises:
        FatalAPIError: The last retriable error once ``max_tries`` are used up
            (its message already redacted by the caller), or a fatal error of
            the step itself.
    """
    for attempt in range(1, max_tries + 1):
        try:
            return step()
        except RetriableAPIError as exc:
            if attempt == max_tries:
                msg = f"{exc} (gave up after {attempt} tries)"
                raise FatalAPIError(msg) from None
            wait = backoff_base_seconds * 2 ** (attempt - 1)
            logger.warning("%s; retrying in %.1f s", exc, wait)
            time.sleep(wait)

    msg = f"no attempt made (max_tries is {max_tries})"
    raise FatalAPIError(msg)
