"""The SQLite schema of the Feishu sandbox and the rows read from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.feishu import ids

SCHEMA = """
CREATE TABLE IF NOT EXISTS bases (
    app_token TEXT PRIMARY KEY, name TEXT NOT NULL, collaborators TEXT NOT NULL,
    editable INTEGER NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS wiki_nodes (
    node_token TEXT PRIMARY KEY, obj_token TEXT NOT NULL, obj_type TEXT NOT NULL,
    title TEXT NOT NULL, readers TEXT NOT NULL, space_id TEXT NOT NULL,
    created_s INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tables (
    position INTEGER PRIMARY KEY AUTOINCREMENT, table_id TEXT UNIQUE NOT NULL,
    app_token TEXT NOT NULL, name TEXT NOT NULL, default_view_id TEXT NOT NULL,
    view_name TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1,
    serial INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS fields (
    position INTEGER PRIMARY KEY AUTOINCREMENT, field_id TEXT UNIQUE NOT NULL,
    table_id TEXT NOT NULL, field_name TEXT NOT NULL, type INTEGER NOT NULL,
    ui_type TEXT NOT NULL, property TEXT, description TEXT NOT NULL,
    is_primary INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS fields_by_table ON fields (table_id, position);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, table_id TEXT NOT NULL,
    fields TEXT NOT NULL, created_ms INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL, serial INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS records_by_table ON records (table_id, seq);
CREATE TABLE IF NOT EXISTS date_cells (
    field_id TEXT NOT NULL, ms INTEGER NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (field_id, ms, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS replays (
    replay_key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, data BLOB NOT NULL,
    created_s REAL NOT NULL);
"""


@dataclass(frozen=True)
class Base:
    """A Bitable app (base) and who may use it."""

    app_token: str
    name: str
    collaborators: frozenset[str]
    editable: bool


@dataclass(frozen=True)
class Table:
    """A table of a base."""

    table_id: str
    app_token: str
    name: str
    default_view_id: str
    revision: int


@dataclass(frozen=True)
class StoredRecord:
    """One record as stored: write-shape values keyed by field id."""

    seq: int
    cells: dict[str, Any]
    created_ms: int
    modified_ms: int
    serial: int

    @property
    def record_id(self) -> str:
        """The public record id."""
        return ids.record_id(self.seq)
