"""Baseline (b): the bare loop of csv parsing plus ``json.dumps`` per row."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.decoded_csv import csv_files, read_rows

STREAM = "ticket_orders"


def main(argv: list[str]) -> int:
    """Write one Singer RECORD line per row of the files in ``argv[0]``."""
    if len(argv) != 1:
        sys.stderr.write("usage: python -m benchmarks.csv_json_loop CSV_DIR\n")
        return 2

    out = sys.stdout
    count = 0
    for path in csv_files(Path(argv[0])):
        for row in read_rows(path):
            out.write(json.dumps({"type": "RECORD", "stream": STREAM, "record": row}))
            out.write("\n")
            count += 1

    sys.stderr.write(f"records: {count}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
