"""The leak experiment of REFERENCE.md section 2, at a size CI can afford.

Each kind runs in a fresh interpreter (legacyint.experiment's default), so
RSS starts from a clean process and the pool holds nothing but the cache.
"""

import json
import subprocess
import sys

import pytest

from legacyint import experiment

pytestmark = pytest.mark.slow

N = 2_000_000
LIST_SLOT = 8  # bytes of list per element: one pointer


@pytest.fixture(scope="module")
def legacy():
    return {r["stage"]: r for r in experiment.run(N, "legacy")}


@pytest.fixture(scope="module")
def plain():
    return {r["stage"]: r for r in experiment.run(N, "int")}


def test_records_are_plain_data(legacy):
    records = list(legacy.values())
    assert [r["stage"] for r in records] == list(experiment.STAGES)
    assert json.loads(json.dumps(records)) == records
    assert all(r["executable"] == sys.executable for r in records)


def test_building_costs_24_bytes_per_object_plus_the_list(legacy):
    built = legacy["built"]
    grown = built["rss"] - legacy["start"]["rss"]
    pool_bytes = grown - built["container_bytes"]
    per_object = pool_bytes / N
    # 992-byte blocks plus malloc's chunk header, shared by 41 objects:
    # 24.4 bytes (Python 2.7: 24.4) plus a little for malloc's own rounding.
    assert 23.5 <= per_object <= 26.0, per_object
    assert built["in_use"] - legacy["start"]["in_use"] == N
    assert built["blocks"] - legacy["start"]["blocks"] == -(-(N - legacy["start"]["free"]) // 41)


def test_del_keeps_every_block(legacy):
    built, deleted = legacy["built"], legacy["deleted"]
    assert deleted["blocks"] == built["blocks"]
    assert deleted["free"] - built["free"] == N
    assert deleted["blocks_released"] == 0
    dropped = built["rss"] - deleted["rss"]
    # Only the list goes: its 8 bytes an element, plus 2% of what was built.
    assert dropped <= built["container_bytes"] + 0.02 * built["rss"], dropped


def test_rebuild_reuses_the_blocks(legacy):
    built, rebuilt = legacy["built"], legacy["rebuilt"]
    assert rebuilt["blocks_allocated"] == built["blocks_allocated"]
    assert abs(rebuilt["rss"] - built["rss"]) <= 0.02 * built["rss"]


def test_gc_collect_gives_the_blocks_back_as_python_2_6_did(legacy):
    rebuilt, collected = legacy["rebuilt"], legacy["gc_collect"]
    assert collected["gc_clears_pool"] is True
    assert collected["blocks"] == 7
    assert collected["blocks_released"] == rebuilt["blocks"] - 7
    # The blocks are back with malloc, not with the OS (REFERENCE.md 4b):
    # RSS still holds them, as Python 2.7's did after gc.collect().
    assert collected["rss"] - legacy["start"]["rss"] >= 0.9 * N * 24
    assert legacy["clear_free_list"]["blocks_released"] == collected["blocks_released"]


def test_malloc_trim_gives_the_memory_back(legacy):
    start, cleared, trimmed = legacy["start"]["rss"], legacy["clear_free_list"]["rss"], legacy["malloc_trim"]["rss"]
    assert cleared - start >= 0.9 * N * 24
    assert trimmed - start <= 0.1 * (cleared - start)


@pytest.fixture(scope="module")
def legacy25():
    return {r["stage"]: r for r in experiment.run(N, "legacy", gc_clears_pool=False)}


def test_python_2_5_collector_leaves_the_pool_to_clear_free_list(legacy25):
    rebuilt, collected, cleared = legacy25["rebuilt"], legacy25["gc_collect"], legacy25["clear_free_list"]
    assert collected["gc_clears_pool"] is False
    assert collected["blocks"] == rebuilt["blocks"] and collected["blocks_released"] == 0
    assert collected["free"] - rebuilt["free"] == N
    assert cleared["blocks"] == 7
    assert cleared["blocks_released"] == rebuilt["blocks"] - 7
    assert cleared["rss"] >= 0.9 * collected["rss"]
    assert legacy25["malloc_trim"]["rss"] - legacy25["start"]["rss"] <= 0.1 * (cleared["rss"] - legacy25["start"]["rss"])


@pytest.fixture(scope="module")
def legacy_float():
    return {r["stage"]: r for r in experiment.run(N, "legacy_float")}


@pytest.fixture(scope="module")
def plain_float():
    return {r["stage"]: r for r in experiment.run(N, "float")}


def test_float_experiment_as_python_2_7_floats(legacy_float, plain_float):
    start, built, deleted = legacy_float["start"], legacy_float["built"], legacy_float["deleted"]
    assert start["pool"] == "float" and built["small_ints"] == 0
    per_object = (built["rss"] - start["rss"] - built["container_bytes"]) / N
    assert 23.5 <= per_object <= 26.0, per_object
    assert deleted["blocks"] == built["blocks"] and deleted["free"] - built["free"] == N
    assert built["rss"] - deleted["rss"] <= built["container_bytes"] + 0.02 * built["rss"]
    assert legacy_float["rebuilt"]["blocks_allocated"] == built["blocks_allocated"]
    collected = legacy_float["gc_collect"]
    assert collected["blocks"] <= 1 and collected["rss"] - start["rss"] >= 0.9 * N * 24
    assert legacy_float["malloc_trim"]["rss"] - start["rss"] <= 0.1 * (collected["rss"] - start["rss"])
    # Python 3 floats go back at del.
    assert plain_float["deleted"]["rss"] - plain_float["start"]["rss"] <= 0.1 * (
        plain_float["built"]["rss"] - plain_float["start"]["rss"]
    )


def test_python3_ints_give_their_memory_back_at_del(plain, legacy):
    start, built, deleted = plain["start"]["rss"], plain["built"]["rss"], plain["deleted"]["rss"]
    assert built - start >= N * (28 + LIST_SLOT) * 0.9
    assert deleted - start <= 0.1 * (built - start)
    # ...where LegacyInts keep 24 bytes an object until clear_free_list().
    assert legacy["deleted"]["rss"] - legacy["start"]["rss"] >= N * 23.5
    # Python 3's int has no pool: no counters, not the LegacyInt pool's.
    assert all(r[f] is None for r in plain.values() for f in experiment.POOL_FIELDS)


def test_cli_prints_the_table():
    done = subprocess.run(
        [sys.executable, "-m", "legacyint", "--n", "50_000", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["stage", "int", "RSS", "MiB", "LegacyInt", "RSS", "MiB", "blocks", "free"]
    assert lines[1].split()[-2:] == ["7", "25"]  # the small-int cache's blocks
    assert [line.split()[0] for line in lines[1:8]] == list(experiment.STAGES)
    assert done.stderr == ""


def test_cli_json_and_csv():
    out = subprocess.run(
        [sys.executable, "-m", "legacyint", "--n", "1000", "--kind", "legacy", "--json", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    records = json.loads(out)
    assert {r["kind"] for r in records} == {"legacy"} and len(records) == len(experiment.STAGES)
    out = subprocess.run(
        [sys.executable, "-m", "legacyint", "--n", "1000", "--kind", "int", "--csv", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    header, *rows = out.strip().splitlines()
    assert header.startswith("kind,stage,n,rss,uss") and len(rows) == len(experiment.STAGES)
    # A kind with no pool has its counters empty, not the LegacyInt pool's.
    fields = header.split(",")
    for row in rows:
        cells = dict(zip(fields, row.split(",")))
        assert all(cells[f] == "" for f in experiment.POOL_FIELDS), cells


def test_cli_progress_goes_to_stderr():
    done = subprocess.run(
        [sys.executable, "-m", "legacyint", "--n", "1000", "--kind", "legacy"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "[legacy] built" in done.stderr


def test_cli_plot_writes_a_png(tmp_path):
    target = tmp_path / "experiment.png"
    subprocess.run(
        [sys.executable, "-m", "legacyint", "--n", "20000", "--quiet", "--plot", str(target)],
        check=True,
        capture_output=True,
    )
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_python_2_5_collector():
    out = subprocess.run(
        [sys.executable, "-m", "legacyint", "--n", "50000", "--kind", "legacy", "--gc-keeps-pool", "--json", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stages = {r["stage"]: r for r in json.loads(out)}
    assert stages["gc_collect"]["blocks"] == stages["rebuilt"]["blocks"] > 7
    assert stages["clear_free_list"]["blocks"] == 7


def test_console_script_is_installed():
    import shutil

    script = shutil.which("legacyint", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert script, "the legacyint console script is not next to the interpreter"
    done = subprocess.run([script, "--help"], capture_output=True, text=True, check=True)
    assert "--n" in done.stdout and "malloc_trim" in done.stdout


def test_cli_rejects_bad_arguments():
    for args in (["--n", "-1"], ["--n", "many"], ["--kind", "complex"]):
        done = subprocess.run([sys.executable, "-m", "legacyint", *args], capture_output=True, text=True)
        assert done.returncode == 2 and "error" in done.stderr


def test_cli_all_kinds_table():
    out = subprocess.run(
        [sys.executable, "-m", "legacyint", "--n", "20000", "--kind", "all", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    header = out.splitlines()[0]
    for title in ("int RSS MiB", "LegacyInt RSS MiB", "float RSS MiB", "LegacyFloat RSS MiB", "LegacyFloat blocks"):
        assert title in header


def test_experiment_api_rejects_bad_arguments():
    with pytest.raises(ValueError):
        experiment.run(10, "complex")
    with pytest.raises(ValueError):
        experiment.run(-1, "legacy")
