"""Widget assets benchmark: what the public page downloads for the tchat, gzipped.

    python bench/bench_assets.py [--json]

Starts from `web/static/widget.js`, follows its module imports and the stylesheets it adds, as
the browser would (DSFR's own files excepted: a host page of the State has them already), and
prints each file's size raw and gzipped (level 6, a web server's usual setting) with the total,
against the issue's target of 60 kB gzipped. Exits 1 past the target.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from web.deps import STATIC  # noqa: E402
from web.routes.widget import PURIFY  # noqa: E402

TARGET = 60_000  # bytes, gzipped
ENTRY = "/static/widget.js"
IMPORT = re.compile(r"""^\s*import\s+(?:[^"';]+?\s+from\s+)?["']([^"']+)["']""", re.MULTILINE)
STYLESHEET = re.compile(r"""\$\{origin\}(/static/[\w./-]+\.css)""")
SERVED = {"/vendor/purify.es.mjs": PURIFY}  # served by a route, not from web/static


def served_file(path: str) -> Path:
    """The file the app serves at `path`."""
    if path in SERVED:
        return SERVED[path]
    if path.startswith("/static/"):
        return STATIC / path.removeprefix("/static/")
    raise ValueError(f"no widget asset is served at {path}")


def widget_assets(entry: str = ENTRY) -> list[str]:
    """The paths the widget loads: its modules (imports followed) and its own stylesheets."""
    seen: list[str] = []
    todo = [entry]
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.append(path)
        source = served_file(path).read_text(encoding="utf-8")
        for spec in IMPORT.findall(source):
            todo.append(spec if spec.startswith("/") else str(Path(path).parent / spec).replace("\\", "/").replace("/./", "/"))
        todo += [css for css in STYLESHEET.findall(source) if not css.startswith("/dsfr/")]
    return seen


def measure() -> dict:
    files = []
    for path in widget_assets():
        raw = served_file(path).read_bytes()
        files.append({"path": path, "bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, compresslevel=6, mtime=0))})
    total = sum(f["gzip_bytes"] for f in files)
    return {"files": files, "total_gzip_bytes": total, "target_gzip_bytes": TARGET, "within_target": total <= TARGET}


def main() -> int:
    parser = argparse.ArgumentParser(description="Taille du tchat téléchargée par la page publique (gzip).")
    parser.add_argument("--json", action="store_true", help="résultat en JSON")
    result = measure()
    if parser.parse_args().json:
        print(json.dumps(result, indent=2))
    else:
        for f in result["files"]:
            print(f"{f['path']:<28} {f['bytes'] / 1000:7.1f} kB   gzip {f['gzip_bytes'] / 1000:6.1f} kB")
        verdict = "dans la cible" if result["within_target"] else "AU-DELÀ DE LA CIBLE"
        print(f"{'total':<28} {'':>10}   gzip {result['total_gzip_bytes'] / 1000:6.1f} kB "
              f"(cible ≤ {TARGET / 1000:.0f} kB : {verdict})")
    return 0 if result["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
