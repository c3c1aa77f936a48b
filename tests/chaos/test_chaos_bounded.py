"""A short seeded chaos run inside the normal suite: 3 sequences, zero mismatches."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.figures import Figures
from tests.chaos.harness import STREAMS, SequenceConfig, run_sequence
from tests.chaos.project import prepare_project, write_catalog

pytestmark = [pytest.mark.chaos, pytest.mark.e2e]

SEED = 1
SEQUENCES = 3


def test_three_seeded_sequences_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    project = prepare_project()
    catalog = write_catalog(tmp_path / "catalog.json", STREAMS)
    figures = Figures(seed=SEED)
    for sequence in range(SEQUENCES):
        config = SequenceConfig(
            seed=SEED, sequence=sequence, work_root=tmp_path, catalog=catalog
        )
        figures.add(run_sequence(config, project))

    report = figures.report()
    assert figures.sequences == SEQUENCES, report
    assert figures.runs >= SEQUENCES, report
    assert sum(figures.faults_injected.values()) > 0, report
    assert figures.rows_compared > 0, report
    assert figures.rows_in_feishu == figures.rows_compared, report
    assert (figures.missing, figures.duplicated, figures.wrong) == (0, 0, 0), report
    assert figures.not_converged == 0, report
    assert figures.harness_errors == 0, report
    assert figures.failed_runs_without_message == 0, report
