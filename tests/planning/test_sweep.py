"""planning.sweep: scenarios on a Dask cluster of processes give the numbers of a serial run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dask
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from planning.month import MonthError
from planning.scenarios import Scenario
from planning.sweep import _client, same_numbers, serial, sweep
from settings import SettingsError, load_settings

TINY = {"days": 2, "scale": 0.01}
FOUR = [
    Scenario(fleet=fleet, hours=hours, **TINY)  # type: ignore[arg-type]
    for fleet in (1, 2)
    for hours in ("demo", "long")
]


@pytest.fixture(scope="module")
def alone(beilin_dir: Path) -> pd.DataFrame:
    """The four scenarios one after another in this process."""
    return serial(FOUR, beilin_dir)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes, one thread each, as the sweep starts by default."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


def test_a_sweep_on_a_local_cluster_of_processes_gives_the_serial_numbers(
    beilin_dir: Path, alone: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    spread = sweep(FOUR, beilin_dir, workers=2)
    assert list(spread.index) == [s.name for s in FOUR]
    assert same_numbers(spread, alone)
    pd.testing.assert_frame_equal(spread, alone)
    assert "100% Completed" in capsys.readouterr().out  # the progress bar ran


def test_a_sweep_on_an_existing_scheduler_changes_nothing_else(
    beilin_dir: Path, alone: pd.DataFrame, cluster: LocalCluster
) -> None:
    spread = sweep(FOUR, beilin_dir, scheduler=cluster.scheduler_address, show_progress=False)
    pd.testing.assert_frame_equal(spread, alone)


def test_a_sweep_on_the_callers_client_leaves_it_open(
    beilin_dir: Path, alone: pd.DataFrame, cluster: LocalCluster
) -> None:
    with Client(cluster) as client:
        spread = sweep(FOUR[:2], beilin_dir, client=client, show_progress=False)
        assert client.status == "running"
    pd.testing.assert_frame_equal(spread, alone.iloc[:2])


def test_the_numbers_differ_where_the_scenarios_do(alone: pd.DataFrame) -> None:
    # Not a frame of copies: one van in long hours is not one van in the demo's.
    assert not same_numbers(alone.iloc[[0]], alone.iloc[[1]].set_axis(alone.index[[0]]))


def test_two_scenarios_of_one_name_are_refused_before_any_task(beilin_dir: Path) -> None:
    with pytest.raises(MonthError, match="scenarios"):
        sweep([FOUR[0], FOUR[0]], beilin_dir, scheduler="tcp://127.0.0.1:1")


@pytest.mark.parametrize("name", ["SHUYUN_DASK__SCHEDULER", "SHUYUN_DASK_SCHEDULER"])
def test_the_scheduler_address_comes_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    assert load_settings().dask.scheduler is None  # a local cluster by default
    monkeypatch.setenv(name, "tcp://10.0.0.5:8786")
    assert load_settings().dask.scheduler == "tcp://10.0.0.5:8786"


def test_the_nested_name_wins_and_a_bad_address_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHUYUN_DASK_SCHEDULER", "tcp://flat:8786")
    monkeypatch.setenv("SHUYUN_DASK__SCHEDULER", "tcp://nested:8786")
    assert load_settings().dask.scheduler == "tcp://nested:8786"
    monkeypatch.setenv("SHUYUN_DASK__SCHEDULER", "nested:8786")  # no protocol
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert raised.value.variable == "SHUYUN_DASK__SCHEDULER"


def test_the_workers_of_a_cluster_started_for_the_sweep_run_without_the_profiler() -> None:
    """Dask's sampling profiler would take the GIL from each task every 10 ms."""
    with _client(None, None, 2) as client:
        settings = client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
    assert len(settings) == 2
    assert set(settings.values()) == {False}
    assert dask.config.get("distributed.worker.profile.enabled") is True  # ours is left as it was
