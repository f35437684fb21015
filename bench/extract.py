"""Benchmark of table extraction: cell accuracy and time against a naive reading, and
peak RSS of a 100,000-row XLSX against a 10,000-row one.

Run with `.venv/bin/python bench/extract.py [--camelot .venv-bench/bin/python]` (needs
the dev requirements: fpdf2 writes the PDFs; camelot-py, compared on the same PDFs,
lives in a venv of its own: requirements/bench.txt). The documents are built from the
real SCDL subventions example (see tests/fixtures/SOURCES.md) laid out for print, as
the tests build them. Baselines:
for spreadsheets the first non-empty row taken as header (the scanner's reader); for
PDF pdfplumber's own ``extract_tables`` (lines, or its "text" strategy when the table
has no lines) and camelot-py (lattice, or stream), page by page, their tables joined
with repeated headers left out. Each RSS figure comes from its own subprocess.
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
from typing import Any, Callable, Optional

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


def _stitched(tables: list[list[list[Any]]]) -> list[list[str]]:
    """A library's tables one after the other, as a user of the library alone would join
    them: cells on one line, blank rows and a repeated first row (header) left out."""
    rows: list[list[str]] = []
    header = None
    for table in tables:
        clean = [[" ".join(str(cell or "").split()) for cell in row] for row in table]
        clean = [row for row in clean if any(row)]
        if not clean:
            continue
        if header is None:
            header = clean[0]
        elif clean[0] == header:
            clean = clean[1:]
        rows.extend(clean)
    return rows


def _plumber(ruled: bool) -> Callable[[str, str], list[list[str]]]:
    def run(path: str, _fmt: str) -> list[list[str]]:
        import pdfplumber

        settings = {} if ruled else {"vertical_strategy": "text",
                                     "horizontal_strategy": "text"}
        tables: list[list[list[Any]]] = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                tables.extend(page.extract_tables(settings))
        return _stitched(tables)
    return run


def _camelot(python: str, path: str, ruled: bool) -> tuple[list[list[str]], float]:
    """camelot-py's tables (lattice for ruled tables, stream otherwise) and its time,
    read by ``python``, an interpreter that has it."""
    out = subprocess.run([python, str(ROOT / "bench" / "camelot_read.py"), path,
                          "lattice" if ruled else "stream"],
                         check=True, capture_output=True, text=True).stdout
    found = json.loads(out.strip().splitlines()[-1])
    return _stitched(found["tables"]), found["seconds"]


def _timed(function: Callable[[str, str], list[list[str]]], path: str, fmt: str
           ) -> tuple[list[list[str]], float]:
    start = time.perf_counter()
    result = function(path, fmt)
    return result, time.perf_counter() - start


Line = tuple[str, float, float, float, float, Optional[tuple[float, float]]]


def _sheets(tmp: pathlib.Path) -> list[Line]:
    lines: list[Line] = []
    xlsx, ods = tmp / "layout.xlsx", tmp / "layout.ods"
    setup.write_xlsx(str(xlsx))
    setup.write_ods(str(ods))
    want = [setup.expected_header()] + setup.source()[1]
    for name, path, fmt in (("XLSX, print layout", xlsx, "xlsx"),
                            ("ODS, print layout", ods, "ods")):
        ours, t_ours = _timed(_ours, str(path), fmt)
        base, t_base = _timed(_naive_sheet, str(path), fmt)
        lines.append((name, _score(want, ours), t_ours, _score(want, base), t_base, None))
    return lines


def _pdfs(tmp: pathlib.Path, camelot: Optional[str]) -> list[Line]:
    """Each PDF read by us, by pdfplumber alone and by camelot-py (when ``camelot`` names
    a Python that has it), scored against the table printed."""
    import pdfplumber

    lines: list[Line] = []
    for ruled, copies in ((True, 2), (False, 2), (True, 48), (False, 40)):
        path = str(tmp / "table-{}-{}.pdf".format(ruled, copies))
        setup.write_pdf(path, ruled=ruled, copies=copies)
        want = setup.pdf_table(copies=copies)
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
        ours, t_ours = _timed(_ours, path, "pdf")
        base, t_base = _timed(_plumber(ruled), path, "pdf")
        other = None
        if camelot:
            rows, t_other = _camelot(camelot, path, ruled)
            other = (_score(want, rows), t_other)
        lines.append(("PDF {}, {} pages".format("ruled" if ruled else "unruled", pages),
                      _score(want, ours), t_ours, _score(want, base), t_base, other))
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
                      "rss_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """This process's peak RSS. Not getrusage's ru_maxrss: Linux carries it over from
    the parent across fork and exec, so a bench grown large would show its own peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    parser.add_argument("--camelot", metavar="PYTHON",
                        help="a Python that has camelot-py (requirements/bench.txt), to "
                             "compare it on the same PDFs")
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        lines = _sheets(pathlib.Path(tmp)) + _pdfs(pathlib.Path(tmp), args.camelot)
        print("{:<22} {:>8} {:>7} {:>10} {:>7} {:>9} {:>7}".format(
            "document", "ours", "time s", "baseline", "time s", "camelot", "time s"))
        for name, acc, t_ours, base, t_base, other in lines:
            print("{:<22} {:>7.1%} {:>7.2f} {:>9.1%} {:>7.2f} {:>9} {:>7}".format(
                name, acc, t_ours, base, t_base,
                "{:.1%}".format(other[0]) if other else "-",
                "{:.2f}".format(other[1]) if other else "-"))
        print("(baseline: the first non-empty row as header for sheets; pdfplumber's "
              "extract_tables alone for PDF, repeated headers left out)")
        big = _rss(pathlib.Path(tmp))
        print()
        print("{:<22} {:>10} {:>9} {:>9}".format("XLSX rows", "rows out", "time s", "RSS MB"))
        for line in big:
            print("{size:<22} {rows:>10} {seconds:>9.2f} {rss_mb:>9.0f}".format(**line))
        print("RSS ratio 100,000 / 10,000 rows: {:.2f}".format(
            big[1]["rss_mb"] / big[0]["rss_mb"]))


if __name__ == "__main__":
    main()
