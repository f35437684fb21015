"""Read the tables of a PDF with camelot-py, for bench/extract.py: run by a Python that
has camelot-py (requirements/bench.txt), it prints the tables' rows and the seconds taken.

Usage: python bench/camelot_read.py FILE.pdf lattice|stream
"""
from __future__ import annotations

import json
import sys
import time


def main() -> None:
    import camelot

    path, flavor = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    tables = camelot.read_pdf(path, pages="all", flavor=flavor)
    rows = [table.df.values.tolist() for table in tables]
    print(json.dumps({"tables": rows, "seconds": time.perf_counter() - start,
                      "version": camelot.__version__}))


if __name__ == "__main__":
    main()
