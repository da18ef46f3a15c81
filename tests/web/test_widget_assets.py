"""What the public page downloads for the widget: every module it imports and stylesheet it adds,
within the issue's 60 kB gzipped (bench/bench_assets.py prints the figures)."""

from __future__ import annotations

import importlib.util

from tests.conftest import ROOT


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_assets", ROOT / "bench" / "bench_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_widget_s_assets_are_followed_from_its_script_and_stay_within_60_kb_gzipped():
    bench = load_bench()
    result = bench.measure()
    paths = [f["path"] for f in result["files"]]
    assert paths[0] == "/static/widget.js"
    assert {"/static/markdown.js", "/static/widget.css", "/vendor/purify.es.mjs"} <= set(paths)
    assert not any(path.startswith("/dsfr/") for path in paths)  # the State's design system is the host page's
    assert result["total_gzip_bytes"] == sum(f["gzip_bytes"] for f in result["files"])
    assert result["within_target"], result
