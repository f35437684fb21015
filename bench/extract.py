"""Benchmark of table extraction: cell accuracy and time against a naive reading, and
peak RSS of a 100,000-row XLSX against a 10,000-row one.

Run with `.venv/bin/python bench/extract.py` (needs the dev requirements: fpdf2 writes
the PDFs). The documents are built from the real SCDL subventions example (see
tests/fixtures/SOURCES.md) laid out for print, as the tests build them. Baselines:
for spreadsheets the first non-empty row taken as header (the scanner's reader); for
PDF pdfplumber's own ``extract_tables`` (lines, or its "text" strategy when the table
has no lines), page by page. Each RSS figure comes from its own subprocess.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.opendata_governance import extract_setup as setup  # noqa: E402


def _score(want: list[list[str]], got: list[list[str]]) -> float:
    total = sum(len(row) for row in want)
    right = sum(1 for i, row in enumerate(want) for j, cell in enumerate(row)
                if i < len(got) and j < len(got[i]) and got[i][j] == cell)
    return right / total


def _ours(path: str, fmt: str) -> list[list[str]]:
    from ckanext.opendata_governance.extract import extract_path

    table = extract_path(path, fmt, choose=[0])
    return [table.header] + table.rows


def _naive_sheet(path: str, fmt: str) -> list[list[str]]:
    from ckanext.opendata_governance.scan import formats

    header, rows = (formats.read_xlsx if fmt == "xlsx" else formats.read_ods)(path)
    return [header] + [[cell.strip() for cell in row] for row in rows]


def _plumber(ruled: bool) -> Callable[[str, str], list[list[str]]]:
    def run(path: str, _fmt: str) -> list[list[str]]:
        import pdfplumber

        settings = {} if ruled else {"vertical_strategy": "text",
                                     "horizontal_strategy": "text"}
        rows: list[list[str]] = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                for table in page.extract_tables(settings):
                    rows.extend([" ".join((c or "").split()) for c in row] for row in table)
        return rows
    return run


def _timed(function: Callable[[str, str], list[list[str]]], path: str, fmt: str
           ) -> tuple[list[list[str]], float]:
    start = time.perf_counter()
    result = function(path, fmt)
    return result, time.perf_counter() - start


def _accuracy(tmp: pathlib.Path) -> list[tuple[str, float, float, float, float]]:
    lines = []
    xlsx, ods = tmp / "layout.xlsx", tmp / "layout.ods"
    setup.write_xlsx(str(xlsx))
    setup.write_ods(str(ods))
    want = [setup.expected_header()] + setup.source()[1]
    for name, path, fmt in (("XLSX, print layout", xlsx, "xlsx"),
                            ("ODS, print layout", ods, "ods")):
        ours, t_ours = _timed(_ours, str(path), fmt)
        base, t_base = _timed(_naive_sheet, str(path), fmt)
        lines.append((name, _score(want, ours), t_ours, _score(want, base), t_base))
    for ruled in (True, False):
        path = tmp / "table-{}.pdf".format(ruled)
        setup.write_pdf(str(path), ruled=ruled, copies=2)
        want = setup.pdf_table(copies=2)
        ours, t_ours = _timed(_ours, str(path), "pdf")
        base, t_base = _timed(_plumber(ruled), str(path), "pdf")
        lines.append(("PDF {}, 3 pages".format("ruled" if ruled else "unruled"),
                      _score(want, ours), t_ours, _score(want, base), t_base))
    path = tmp / "long.pdf"
    setup.write_pdf(str(path), ruled=True, copies=48)
    want = setup.pdf_table(copies=48)
    ours, t_ours = _timed(_ours, str(path), "pdf")
    base, t_base = _timed(_plumber(True), str(path), "pdf")
    import pdfplumber
    with pdfplumber.open(str(path)) as pdf:
        pages = len(pdf.pages)
    lines.append(("PDF ruled, {} pages".format(pages), _score(want, ours), t_ours,
                  _score(want, base), t_base))
    return lines


def _big_xlsx(path: pathlib.Path, rows: int) -> None:
    import openpyxl

    header, source = setup.source()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Subventions")
    sheet.append([setup.TITLE])
    sheet.append([])
    sheet.append(header)
    for i in range(rows):
        sheet.append(source[i % len(source)])
    book.save(str(path))


def _child(path: str) -> None:
    """Preview, then extract the table and write its CSV, as the action does."""
    from ckanext.opendata_governance.extract import ExtractLimits, extract_path, preview_path
    from ckanext.opendata_governance.extract.csvout import write_csv

    start = time.perf_counter()
    # No time bound here: a loaded machine must not turn a measure into a refusal.
    limits = ExtractLimits(max_seconds=0)
    preview_path(path, "xlsx", limits=limits)
    table = extract_path(path, "xlsx", limits=limits)
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as out:
        rows = write_csv(table, out)
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - start,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _rss(tmp: pathlib.Path) -> list[dict[str, Any]]:
    results = []
    for rows in (10_000, 100_000):
        path = tmp / "big-{}.xlsx".format(rows)
        _big_xlsx(path, rows)
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True,
                             capture_output=True, text=True).stdout
        results.append({"size": rows, **json.loads(out.strip().splitlines()[-1])})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        lines = _accuracy(pathlib.Path(tmp))
        print("{:<22} {:>10} {:>9} {:>12} {:>9} {:>8}".format(
            "document", "accuracy", "time s", "baseline acc", "time s", "ratio"))
        for name, acc, t_ours, base, t_base in lines:
            print("{:<22} {:>9.1%} {:>9.2f} {:>11.1%} {:>9.2f} {:>7.2f}x".format(
                name, acc, t_ours, base, t_base, t_ours / t_base if t_base else 0))
        print("(ratio: our time over the baseline's)")
        big = _rss(pathlib.Path(tmp))
        print()
        print("{:<22} {:>10} {:>9} {:>9}".format("XLSX rows", "rows out", "time s", "RSS MB"))
        for line in big:
            print("{size:<22} {rows:>10} {seconds:>9.2f} {rss_mb:>9.0f}".format(**line))
        print("RSS ratio 100,000 / 10,000 rows: {:.2f}".format(
            big[1]["rss_mb"] / big[0]["rss_mb"]))


if __name__ == "__main__":
    main()
