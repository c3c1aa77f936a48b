"""SQLite storage of bases, wiki nodes, tables, fields, records and replays."""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sandbox.feishu import codec, ids
from sandbox.feishu.schema import SCHEMA, Base, StoredRecord, Table
from sandbox.feishu.values import DATE, FieldDef


def _dumps(cells: dict[str, Any]) -> str:
    return codec.encode_text(cells)


class Store:
    """All state of one sandbox in one SQLite file (WAL, one locked connection)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._fields: dict[str, list[FieldDef]] = {}
        self._indexed: set[str] = set()

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write transaction."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                self._fields.clear()
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query and return all rows."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # Bases and wiki nodes.

    def add_base(self, name: str, collaborators: Iterable[str], editable: bool) -> str:
        """Create a base and return its app token."""
        app_token = ids.random_id("app")
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO bases VALUES (?, ?, ?, ?, 0)",
                (app_token, name, json.dumps(sorted(collaborators)), int(editable)),
            )
        return app_token

    def base(self, app_token: str) -> Base | None:
        """The base of ``app_token``, if any."""
        rows = self.query(
            "SELECT name, collaborators, editable FROM bases WHERE app_token = ?",
            (app_token,),
        )
        if not rows:
            return None
        name, collaborators, editable = rows[0]
        return Base(
            app_token, name, frozenset(json.loads(collaborators)), bool(editable)
        )

    def bases(self) -> list[Base]:
        """All bases in creation order."""
        tokens = self.query("SELECT app_token FROM bases ORDER BY rowid")
        return [base for (token,) in tokens if (base := self.base(token))]

    def add_wiki_node(
        self,
        obj_token: str,
        obj_type: str,
        title: str,
        readers: Iterable[str],
        now_s: int,
    ) -> str:
        """Create a wiki node pointing at an object and return its node token."""
        node_token = ids.random_id("wik")
        space_id = str(7_000_000_000_000_000_000 + now_s)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO wiki_nodes VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    node_token,
                    obj_token,
                    obj_type,
                    title,
                    json.dumps(sorted(readers)),
                    space_id,
                    now_s,
                ),
            )
        return node_token

    def wiki_node(self, node_token: str) -> dict[str, Any] | None:
        """The stored wiki node of ``node_token``, if any."""
        rows = self.query(
            "SELECT obj_token, obj_type, title, readers, space_id, created_s"
            " FROM wiki_nodes WHERE node_token = ?",
            (node_token,),
        )
        if not rows:
            return None
        obj_token, obj_type, title, readers, space_id, created_s = rows[0]
        return {
            "obj_token": obj_token,
            "obj_type": obj_type,
            "title": title,
            "readers": set(json.loads(readers)),
            "space_id": space_id,
            "created_s": created_s,
        }

    # Tables and fields.

    def tables(self, app_token: str) -> list[Table]:
        """The tables of a base in creation order."""
        rows = self.query(
            "SELECT table_id, name, default_view_id, revision FROM tables"
            " WHERE app_token = ? ORDER BY position",
            (app_token,),
        )
        return [Table(row[0], app_token, row[1], row[2], row[3]) for row in rows]

    def table(self, app_token: str, table_id: str) -> Table | None:
        """The table ``table_id`` of the base, if any."""
        for table in self.tables(app_token):
            if table.table_id == table_id:
                return table
        return None

    def fields(self, table_id: str) -> list[FieldDef]:
        """The fields of a table in order (cached until the next schema change)."""
        with self._lock:
            cached = self._fields.get(table_id)
            if cached is not None:
                return cached
            rows = self._conn.execute(
                "SELECT field_id, field_name, type, ui_type, property, description,"
                " is_primary FROM fields WHERE table_id = ? ORDER BY position",
                (table_id,),
            ).fetchall()
            loaded = [
                FieldDef(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], bool(r[6]))
                for r in rows
            ]
            self._fields[table_id] = loaded
            return loaded

    def ensure_cell_index(self, field_id: str) -> None:
        """Index a field's cells, once it is searched with ``is`` (ids are [0-9A-z])."""
        if not field_id.isalnum():
            msg = f"field id {field_id!r} is not alphanumeric"
            raise ValueError(msg)
        with self._lock:
            if field_id in self._indexed:
                return
            self._conn.execute(
                f"CREATE INDEX IF NOT EXISTS cell_{field_id} ON records"
                f" (table_id, json_extract(fields, '$.{field_id}'))"
            )
            self._indexed.add(field_id)

    def insert_table(
        self, conn: sqlite3.Connection, app_token: str, name: str, view_name: str
    ) -> tuple[str, str]:
        """Insert an empty table; return ``(table_id, default_view_id)``."""
        table_id, view_id = ids.random_id("tbl"), ids.random_id("vew")
        conn.execute(
            "INSERT INTO tables (table_id, app_token, name, default_view_id, view_name)"
            " VALUES (?, ?, ?, ?, ?)",
            (table_id, app_token, name, view_id, view_name),
        )
        return table_id, view_id

    def save_field(
        self, conn: sqlite3.Connection, table_id: str, field_def: FieldDef
    ) -> None:
        """Insert or overwrite a field definition."""
        conn.execute(
            "INSERT INTO fields (field_id, table_id, field_name, type, ui_type,"
            " property, description, is_primary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (field_id) DO UPDATE SET field_name = excluded.field_name,"
            " type = excluded.type, ui_type = excluded.ui_type,"
            " property = excluded.property, description = excluded.description",
            (
                field_def.field_id,
                table_id,
                field_def.field_name,
                field_def.type,
                field_def.ui_type,
                json.dumps(field_def.property, ensure_ascii=False),
                field_def.description,
                int(field_def.is_primary),
            ),
        )
        self._fields.pop(table_id, None)

    def delete_field(
        self, conn: sqlite3.Connection, table_id: str, field_id: str
    ) -> None:
        """Delete a field definition and its date index entries."""
        conn.execute("DELETE FROM fields WHERE field_id = ?", (field_id,))
        conn.execute("DELETE FROM date_cells WHERE field_id = ?", (field_id,))
        conn.execute(f"DROP INDEX IF EXISTS cell_{field_id}")
        self._indexed.discard(field_id)
        self._fields.pop(table_id, None)

    def delete_table(self, conn: sqlite3.Connection, table_id: str) -> None:
        """Delete a table with its fields and records."""
        for field_def in self.fields(table_id):
            self.delete_field(conn, table_id, field_def.field_id)
        conn.execute("DELETE FROM records WHERE table_id = ?", (table_id,))
        conn.execute("DELETE FROM tables WHERE table_id = ?", (table_id,))
        self._fields.pop(table_id, None)

    def bump_revision(self, conn: sqlite3.Connection, table_id: str) -> None:
        """Count one more change of a table."""
        conn.execute(
            "UPDATE tables SET revision = revision + 1 WHERE table_id = ?", (table_id,)
        )

    # Records.

    def insert_records(
        self,
        conn: sqlite3.Connection,
        table_id: str,
        rows: list[dict[str, Any]],
        now_ms: int,
    ) -> list[StoredRecord]:
        """Append records (values keyed by field id) in order."""
        (serial,) = conn.execute(
            "SELECT serial FROM tables WHERE table_id = ?", (table_id,)
        ).fetchone()
        conn.executemany(
            "INSERT INTO records (table_id, fields, created_ms, modified_ms, serial)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (table_id, _dumps(cells), now_ms, now_ms, serial + i)
                for i, cells in enumerate(rows, start=1)
            ],
        )
        (last_seq,) = conn.execute("SELECT last_insert_rowid()").fetchone()
        first_seq = last_seq - len(rows) + 1
        conn.execute(
            "UPDATE tables SET serial = ?, revision = revision + 1 WHERE table_id = ?",
            (serial + len(rows), table_id),
        )
        stored = [
            StoredRecord(first_seq + i, cells, now_ms, now_ms, serial + i + 1)
            for i, cells in enumerate(rows)
        ]
        self._index_dates(conn, table_id, stored, add=True)
        return stored

    def _index_dates(
        self,
        conn: sqlite3.Connection,
        table_id: str,
        records: Iterable[StoredRecord],
        add: bool,
    ) -> None:
        date_ids = [f.field_id for f in self.fields(table_id) if f.type == DATE]
        entries = [
            (field_id, record.cells[field_id], record.seq)
            for record in records
            for field_id in date_ids
            if field_id in record.cells
        ]
        if not entries:
            return
        sql = (
            "INSERT OR IGNORE INTO date_cells VALUES (?, ?, ?)"
            if add
            else "DELETE FROM date_cells WHERE field_id = ? AND ms = ? AND seq = ?"
        )
        conn.executemany(sql, entries)

    def records_by_seq(self, table_id: str, seqs: Sequence[int]) -> list[StoredRecord]:
        """The records of a table with the given sequence numbers, in seq order."""
        found: list[StoredRecord] = []
        for start in range(0, len(seqs), 500):
            chunk = list(seqs[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.query(
                "SELECT seq, fields, created_ms, modified_ms, serial FROM records"
                f" WHERE table_id = ? AND seq IN ({marks}) ORDER BY seq",
                [table_id, *chunk],
            )
            found.extend(
                StoredRecord(r[0], codec.decode(r[1]), r[2], r[3], r[4]) for r in rows
            )
        return found

    def replace_records(
        self,
        conn: sqlite3.Connection,
        table_id: str,
        old: Sequence[StoredRecord],
        new: Sequence[StoredRecord],
    ) -> None:
        """Overwrite records with new cell values (same seq)."""
        self._index_dates(conn, table_id, old, add=False)
        conn.executemany(
            "UPDATE records SET fields = ?, modified_ms = ? WHERE seq = ?",
            [(_dumps(r.cells), r.modified_ms, r.seq) for r in new],
        )
        self._index_dates(conn, table_id, new, add=True)
        self.bump_revision(conn, table_id)

    def delete_records(
        self, conn: sqlite3.Connection, table_id: str, records: Sequence[StoredRecord]
    ) -> None:
        """Delete records and their date index entries."""
        self._index_dates(conn, table_id, records, add=False)
        conn.executemany(
            "DELETE FROM records WHERE seq = ?", [(r.seq,) for r in records]
        )
        self.bump_revision(conn, table_id)

    def reindex_dates(
        self, conn: sqlite3.Connection, table_id: str, field_id: str, rebuild: bool
    ) -> None:
        """Drop the date index of one field and, if ``rebuild``, refill it."""
        conn.execute("DELETE FROM date_cells WHERE field_id = ?", (field_id,))
        if not rebuild:
            return
        path = f"$.{field_id}"
        conn.execute(
            "INSERT INTO date_cells SELECT ?, json_extract(fields, ?), seq FROM records"
            " WHERE table_id = ? AND json_type(fields, ?) = 'integer'",
            (field_id, path, table_id, path),
        )

    def all_records(self, table_id: str) -> list[StoredRecord]:
        """Every record of a table in insertion order."""
        rows = self.query(
            "SELECT seq, fields, created_ms, modified_ms, serial FROM records"
            " WHERE table_id = ? ORDER BY seq",
            (table_id,),
        )
        return [StoredRecord(r[0], codec.decode(r[1]), r[2], r[3], r[4]) for r in rows]

    # Replays (client_token).

    def replay(self, replay_key: str, since_s: float) -> tuple[str, Any] | None:
        """The ``(body_hash, data)`` remembered for a client token, if recent."""
        rows = self.query(
            "SELECT body_hash, data FROM replays"
            " WHERE replay_key = ? AND created_s > ?",
            (replay_key, since_s),
        )
        if not rows:
            return None
        body_hash, data = rows[0]
        raw = zlib.decompress(data) if isinstance(data, bytes) else data
        return body_hash, codec.decode(raw)

    def remember_replay(
        self,
        conn: sqlite3.Connection,
        replay_key: str,
        body_hash: str,
        data: Any,
        now_s: float,
    ) -> None:
        """Remember the answer of a client token (compressed: echoes are large)."""
        packed = zlib.compress(codec.encode(data), 1)
        conn.execute(
            "INSERT OR REPLACE INTO replays VALUES (?, ?, ?, ?)",
            (replay_key, body_hash, packed, now_s),
        )
