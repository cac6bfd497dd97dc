"""The notebook magic, in a real IPython shell (IPython's own test
application): ``%load_ext legacyint``, ``%pool`` and ``%%pool``."""

import pytest

pytest.importorskip("IPython")

from IPython.testing.globalipapp import start_ipython  # noqa: E402

import legacyint  # noqa: E402


@pytest.fixture(scope="module")
def ip():
    shell = start_ipython()
    shell.run_line_magic("load_ext", "legacyint")
    return shell


def test_line_magic_shows_both_pools_now(ip):
    report = ip.run_line_magic("pool", "")
    s = legacyint.pool_stats()
    assert report.rows["int"]["live"] == s.in_use and report.rows["int"]["blocks"] == s.blocks
    assert report.rows["float"]["blocks"] == legacyint.pool_stats("float").blocks
    text, page = repr(report), report._repr_html_()
    assert "LegacyInt pool" in text and "LegacyFloat pool" in text and "MiB held" in text
    assert "<table>" in page and "LegacyFloat pool" in page


def test_cell_magic_reports_what_the_cell_did(ip):
    legacyint.clear_free_list()
    ip.run_cell("import legacyint")
    report = ip.run_cell_magic("pool", "", "xs = legacyint.range(10**6, 10**6 + 41 * 100)\n"
                                          "half = legacyint.LegacyFloat(0.5)\n"
                                          "fs = [x * half for x in xs[:41]]")
    assert report.rows["int"]["made"] == 41 * 100 and report.rows["int"]["live"] == 41 * 100
    assert report.rows["int"]["blocks_taken"] >= 99 and report.rows["int"]["blocks_given_back"] == 0
    assert report.rows["float"]["made"] == 42  # half, and 41 products
    assert report.rows["int"]["bytes_held"] == report.rows["int"]["blocks_taken"] * 992
    assert ip.user_ns["xs"][0] == 10**6  # the cell ran in the user's namespace
    freed = ip.run_cell_magic("pool", "", "del xs, fs, half\nimport gc; gc.collect()")
    assert freed.rows["int"]["freed"] == 41 * 100 and freed.rows["int"]["live"] == -41 * 100
    assert freed.rows["int"]["blocks_given_back"] >= 99  # the collector cleared the free list
    assert "blocks given back" in repr(freed) and "+" in repr(freed)


def test_cell_magic_draws_the_blocks_before_and_after(ip):
    pytest.importorskip("matplotlib")
    ip.run_cell("import legacyint; ys = legacyint.range(10**6, 10**6 + 500)")
    shown = []
    ip.display_pub.publish = lambda data, **kw: shown.append(data)  # what display() would send
    try:
        result = ip.run_cell_magic("pool", "--occupancy", "del ys; legacyint.clear_free_list()")
    finally:
        del ip.display_pub.publish
    assert result is None  # the report and the figure were displayed instead
    (report, figure) = [data["text/plain"] for data in shown if "Out[" not in data.get("text/plain", "")][-2:]
    assert "blocks given back" in report and "-500" in report
    # The int pool before and after (each with its colour bar); the float
    # pool's two panels are blank when it holds no block.
    assert figure.startswith("<Figure") and "Axes" in figure


def test_bad_option_is_a_usage_error(ip):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError):
        ip.run_cell_magic("pool", "--bogus", "pass")
