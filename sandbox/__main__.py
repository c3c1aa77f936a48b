"""Command line of the sandbox: `python -m sandbox serve|page|summary`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sandbox.serve import SandboxOptions, serve, serve_page_only, summarize


def non_negative(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        message = f"expected a whole number, 0 or more, got {text!r}"
        raise argparse.ArgumentTypeError(message)

    return number


def build_parser() -> argparse.ArgumentParser:
    """The `serve`, `page` and `summary` sub-commands and their options."""
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Local emulators of the Yuekeyun gateway and Feishu Open API.",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(".sandbox"),
        help="folder of sandbox.env and the Feishu SQLite file (default .sandbox)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser(
        "serve", help="start both sandboxes on free loopback ports until stopped"
    )
    serve_parser.add_argument(
        "--seed", type=int, default=1, help="seed of the synthetic cinema (default 1)"
    )
    serve_parser.add_argument(
        "--tickets-per-day",
        type=non_negative,
        default=60,
        help="tickets the synthetic cinema sells per business day (default 60)",
    )
    serve_parser.add_argument(
        "--history-days",
        type=non_negative,
        default=35,
        help="days of history before today, written as SANDBOX_START_DATE",
    )

    page_parser = commands.add_parser(
        "page", help="serve only the HTML page over the kept Feishu data"
    )
    page_parser.add_argument(
        "--port",
        type=non_negative,
        default=0,
        help="loopback port (default: a free one)",
    )

    commands.add_parser("summary", help="print the kept Feishu tables and row counts")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; returns the process exit code."""
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    state_dir: Path = arguments.state_dir

    if arguments.command == "serve":
        options = SandboxOptions(
            state_dir=state_dir,
            seed=arguments.seed,
            tickets_per_day=arguments.tickets_per_day,
            history_days=arguments.history_days,
        )
        return serve(options)

    try:
        if arguments.command == "page":
            return serve_page_only(state_dir, arguments.port)
        return summarize(state_dir)
    except FileNotFoundError as missing:
        print(f"python -m sandbox {arguments.command}: {missing}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
