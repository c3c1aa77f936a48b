"""The emulated service's shared state and the checks every endpoint runs."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.feishu import codec
from sandbox.feishu.clock import Clock
from sandbox.feishu.errors import ApiError
from sandbox.feishu.limits import RECORD_WRITES, FeishuFaults, RateLimiter, WriteLocks
from sandbox.feishu.search import TotalCache
from sandbox.feishu.store import Base, Store, Table
from sandbox.feishu.tokens import TokenIssuer

LOGGER = logging.getLogger("sandbox.feishu")
UUID4 = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.I
)
REPLAY_RETENTION_S = 24 * 3600


class DropConnection(Exception):
    """Close the connection without answering (after a committed write)."""


@dataclass
class Call:
    """One API call as the endpoint handlers see it."""

    endpoint: str
    app_id: str
    query: dict[str, str]
    body: Any
    path_args: dict[str, str] = field(default_factory=dict)


@dataclass
class Service:
    """Everything the endpoint handlers share."""

    store: Store
    clock: Clock
    tokens: TokenIssuer
    faults: FeishuFaults
    limiter: RateLimiter
    zone: ZoneInfo
    max_batch_records: int
    locks: WriteLocks = field(default_factory=WriteLocks)
    totals: TotalCache = field(default_factory=TotalCache)
    _schema_changed: set[str] = field(default_factory=set)
    _flag_lock: threading.Lock = field(default_factory=threading.Lock)

    def base_for(self, call: Call, write: bool) -> Base:
        """The base of the call's ``app_token``, checked for access.

        Raises:
            ApiError: 1254040 unknown token (also a wiki node token), 91403 the app
                is not a collaborator, 1254302 a write to a base the app may not edit.
        """
        app_token = call.path_args["app_token"]
        base = self.store.base(app_token)
        if base is None:
            msg = f"BaseTokenNotFound: app_token {app_token!r} is not a base"
            raise ApiError(1254040, msg)
        if call.app_id not in base.collaborators:
            msg = f"FORBIDDEN: app {call.app_id} is not a collaborator of the base"
            raise ApiError(91403, msg)
        if write and not base.editable:
            msg = "no permission: the app's role cannot edit this base"
            raise ApiError(1254302, msg)
        return base

    def table_for(self, call: Call, write: bool) -> Table:
        """The table of the call's ``table_id`` (1254041 if unknown)."""
        base = self.base_for(call, write)
        table_id = call.path_args["table_id"]
        table = self.store.table(base.app_token, table_id)
        if table is None:
            msg = f"TableIdNotFound: table {table_id!r} is not in the base"
            raise ApiError(1254041, msg)
        return table

    def client_token(self, call: Call) -> str | None:
        """The call's ``client_token`` query parameter, checked to be a UUIDv4."""
        token = call.query.get("client_token")
        if token is None:
            return None
        if not UUID4.fullmatch(token):
            msg = f"invalid client_token {token!r}: it must be a UUIDv4"
            raise ApiError(1254037, msg)
        return token

    def mark_schema_change(self, table_id: str) -> None:
        """Arm the one-shot 1254607 after a schema change, if that knob is on."""
        if self.faults.data_not_ready_after_schema_change:
            with self._flag_lock:
                self._schema_changed.add(table_id)

    def _schema_not_ready(self, call: Call, table_id: str) -> bool:
        if call.endpoint not in RECORD_WRITES:
            return False
        with self._flag_lock:
            if table_id not in self._schema_changed:
                return False
            self._schema_changed.discard(table_id)
        self.faults.record("data_not_ready_after_schema_change")
        return True

    def write(
        self,
        call: Call,
        table_id: str,
        action: Callable[[Any], Any],
        replay_scope: str | None = None,
    ) -> Any:
        """Run a table write under its write lock, with replays and write faults.

        Args:
            call: The API call.
            table_id: The table written (the lock is per table).
            action: Does the write inside one transaction; returns the ``data``.
            replay_scope: Scope of the ``client_token`` replay memory, if any.
        """
        client_token = self.client_token(call)
        with self.locks.hold(table_id):
            if self.faults.take("write_conflicts", call.endpoint):
                msg = f"Write conflict on table {table_id} (injected)"
                raise ApiError(1254291, msg)
            if self.faults.write_hold_ms:
                time.sleep(self.faults.write_hold_ms / 1000)
            if self.faults.take("data_not_ready", call.endpoint) or (
                self._schema_not_ready(call, table_id)
            ):
                error = ApiError(1254607, "Data not ready, please try again later")
                raise error

            replay_key = body_hash = None
            if client_token is not None and replay_scope is not None:
                replay_key = (
                    f"{call.app_id}|{replay_scope}|{call.endpoint}|{client_token}"
                )
                body_hash = _hash(call.body)
                earlier = self.store.replay(
                    replay_key, self.clock.now() - REPLAY_RETENTION_S
                )
                if earlier is not None:
                    return self._replayed(call, earlier, body_hash)

            with self.store.transaction() as conn:
                data = action(conn)
                if replay_key is not None and body_hash is not None:
                    self.store.remember_replay(
                        conn, replay_key, body_hash, data, self.clock.now()
                    )
            self.after_commit(call)
        return data

    def _replayed(self, call: Call, earlier: tuple[str, Any], body_hash: str) -> Any:
        stored_hash, data = earlier
        if stored_hash != body_hash:
            msg = "client token conflict: same client_token with a different body"
            raise ApiError(1255006, msg)
        if self.faults.replay_answers_1254608:
            error = ApiError(1254608, "same request resubmitted (same client_token)")
            raise error
        LOGGER.info("replayed %s for client_token: no new write", call.endpoint)
        return data

    def after_commit(self, call: Call) -> None:
        """Deliver a due commit-then-timeout fault after a committed write."""
        if not self.faults.take("commit_then_timeout", call.endpoint):
            return
        if self.faults.commit_then_drop:
            raise DropConnection
        error = ApiError(1255040, "request timed out (the write was committed)")
        raise error


def _hash(body: Any) -> str:
    return hashlib.sha256(codec.canonical(body)).hexdigest()
