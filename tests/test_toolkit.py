"""The experiment toolkit: the gc hook, plots, the pytest plugin."""

import gc
import subprocess
import sys
import textwrap

import pytest

import legacyint
from legacyint import plot
from legacyint.testing import PoolProbe


@pytest.fixture
def gc_hook(request):
    """Sets the hook as the test asks and restores it afterwards."""
    previous = legacyint.gc_clears_pool()
    yield
    legacyint.set_gc_clears_pool(previous)


def _freed_blocks():
    legacyint.clear_free_list()
    xs = legacyint.range(10**6, 10**6 + 41 * 50)
    del xs
    return legacyint.pool_stats().blocks


def test_full_collection_clears_the_pool_by_default(gc_hook):
    assert legacyint.gc_clears_pool() is True
    blocks = _freed_blocks()
    gc.collect()
    assert legacyint.pool_stats().blocks <= blocks - 50


def test_younger_generations_leave_the_pool_alone(gc_hook):
    blocks = _freed_blocks()
    gc.collect(0)
    gc.collect(1)
    assert legacyint.pool_stats().blocks == blocks


def test_python_2_5_behaviour_keeps_the_blocks(gc_hook):
    assert legacyint.set_gc_clears_pool(False) is True
    blocks = _freed_blocks()
    gc.collect()
    assert legacyint.pool_stats().blocks == blocks
    assert legacyint.clear_free_list() >= 262
    assert legacyint.pool_stats().blocks < blocks


def test_hook_is_installed_once_even_after_reload():
    import importlib

    hooks = [cb for cb in gc.callbacks if getattr(cb, "__module__", "") == "legacyint._gc"]
    importlib.reload(legacyint)
    again = [cb for cb in gc.callbacks if getattr(cb, "__module__", "") == "legacyint._gc"]
    assert len(hooks) == len(again) == 1


def test_one_hook_and_one_setting_after_the_modules_are_imported_again():
    """The package's modules removed from sys.modules and imported anew (a
    notebook's autoreload, a test runner's isolation) make new module
    objects, but the process keeps one hook, and set_gc_clears_pool from
    either import governs every full collection."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import gc, sys
        import legacyint as first
        for name in [m for m in sys.modules if m == "legacyint" or m.startswith("legacyint.")]:
            del sys.modules[name]
        import legacyint as second
        assert second is not first and second._gc is not first._gc
        hooks = [cb for cb in gc.callbacks if getattr(cb, "_legacyint_gc_hook", False)]
        print(len(hooks))
        for setter, reader in ((second, first), (first, second)):
            setter.set_gc_clears_pool(False)
            assert reader.gc_clears_pool() is False
            xs = second.range(10**6, 10**6 + 41 * 100); del xs
            blocks = second.pool_stats().blocks
            gc.collect()
            print(blocks - second.pool_stats().blocks)
            setter.set_gc_clears_pool(True)
    """)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "0", "0"]


def test_block_occupancy_is_oldest_first_and_sums_to_in_use():
    legacyint.clear_free_list()
    occupancy = legacyint.block_occupancy()
    assert occupancy[:6] == [41] * 6
    assert sum(occupancy) == legacyint.pool_stats().in_use
    xs = legacyint.range(10**6, 10**6 + 41 * 3)
    assert legacyint.block_occupancy()[-1] > 0
    assert sum(legacyint.block_occupancy()) == legacyint.pool_stats().in_use
    del xs


def _records():
    from legacyint import experiment

    return experiment.run(20_000, "int") + experiment.run(20_000, "legacy")


def test_plot_experiment_draws_one_bar_per_stage_and_kind():
    records = _records()
    fig = plot.plot_experiment(records)
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 7
    heights = sorted(round(p.get_height(), 3) for p in ax.patches)
    assert heights == sorted(round(r["rss"] / 2**20, 3) for r in records)
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "start\nnothing yet"
    assert [t.get_text().split("\n")[1] for t in ax.get_xticklabels()][4] == "del l;"


def test_plot_experiment_draws_the_pools_blocks_on_request():
    """blocks=True: a line per pooled kind on a second axis, the blocks it
    held at each stage, where Python 2.5's collector shows its difference."""
    from legacyint import experiment

    for clears in (True, False):
        records = experiment.run(20_000, "legacy", gc_clears_pool=clears)
        fig = plot.plot_experiment(records, blocks=True)
        assert len(fig.axes) == 2
        (line,) = fig.axes[1].get_lines()
        assert list(line.get_ydata()) == [r["blocks"] for r in records]
        collected = dict(zip(experiment.STAGES, line.get_ydata()))["gc_collect"]
        assert bool(collected == 7) is clears
        assert f"gc as Python {'2.6+' if clears else '2.5'}" in line.get_label()
    assert len(plot.plot_experiment(experiment.run(1000, "int"), blocks=True).axes) == 1  # no pool, no line


def test_plots_draw_into_a_given_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plot.plot_experiment(_records(), ax=left) is fig
    assert plot.plot_occupancy([41, 0, 5], ax=right) is fig
    assert left.patches and right.images


def test_plot_occupancy_lays_blocks_out_row_by_row():
    fig = plot.plot_occupancy([41, 40, 1, 0, 7], columns=2)
    grid = fig.axes[0].images[0].get_array()
    assert grid.shape == (3, 2)
    assert list(grid[0]) == [41, 40] and list(grid[1]) == [1, 0] and grid[2][0] == 7
    assert grid.mask[2][1]  # no block there: drawn blank


def test_plot_occupancy_defaults_to_the_pool_now():
    fig = plot.plot_occupancy()
    assert fig.axes[0].images[0].get_array().count() == len(legacyint.block_occupancy())


def test_plot_experiment_refuses_nothing():
    with pytest.raises(ValueError):
        plot.plot_experiment([])


def test_pool_probe_deltas_and_assertions():
    probe = PoolProbe()
    before = probe.snapshot()
    xs = legacyint.range(10**6, 10**6 + 10)
    delta = probe.delta(before)
    assert delta["allocations"] == 10 and delta["in_use"] == 10
    with probe.allocates(1):
        legacyint.LegacyInt(10**7)
    with pytest.raises(AssertionError, match="expected 3 allocations, got 1"):
        with probe.allocates(3):
            legacyint.LegacyInt(10**7)
    with pytest.raises(AssertionError, match="still alive"):
        with probe.leaves_nothing_alive():
            ys = legacyint.range(10**6, 10**6 + 5)
    del xs, ys


def test_pool_probe_sees_a_new_block():
    probe = PoolProbe()
    probe.clear()
    with pytest.raises(AssertionError, match="expected no new block"):
        with probe.no_new_blocks():
            xs = legacyint.range(10**6, 10**6 + 41 * 2)
    with probe.no_new_blocks():
        del xs
        ys = legacyint.range(10**6, 10**6 + 41 * 2)
    del ys


pytest_plugins = ["pytester"]


def test_plugin_fixture_in_another_project(pytester):
    pytester.makepyfile(
        textwrap.dedent(
            """
            import legacyint

            def test_reuse(legacyint_pool):
                xs = legacyint.range(10**6, 10**6 + 1000)
                del xs
                with legacyint_pool.no_new_blocks():
                    ys = legacyint.range(10**6, 10**6 + 1000)

            def test_cleared_between_tests(legacyint_pool):
                s = legacyint_pool.snapshot()
                assert s.free < 41, s

            def test_failing_assertion(legacyint_pool):
                with legacyint_pool.no_new_blocks():
                    legacyint.clear_free_list()
                    zs = legacyint.range(10**6, 10**6 + 100)
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*expected no new block*"])


def test_plugin_costs_nothing_when_unused(pytester):
    pytester.makepyfile(
        """
        import sys

        def test_untouched():
            assert "legacyint" not in sys.modules
            assert "legacyint._core" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "_legacyint_pytestplugin" in subprocess.run(
        [sys.executable, "-m", "pytest", "--trace-config", "--co", "-q", str(pytester.path)],
        capture_output=True,
        text=True,
    ).stdout
