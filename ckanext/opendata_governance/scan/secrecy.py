"""Statistical secrecy (small counts in aggregated tables) and k-anonymity, streamed."""
from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from typing import Any, Iterable, Optional, Sequence

from ckanext.opendata_governance.scan import N_, ScanError

__all__ = ["small_cells", "k_anonymity", "is_count_column", "COUNT_WORDS",
           "MAX_SAMPLES", "MAX_CLASSES", "SMALL_COUNT_MESSAGE"]

# Column-name words that announce a count in French and English open data.
COUNT_WORDS = frozenset({
    "nb", "nbr", "nbre", "nombre", "effectif", "effectifs", "eff", "count", "counts",
    "total", "totaux", "valeur", "valeurs", "occurrence", "occurrences", "freq",
    "frequence", "frequency", "compte", "denombrement", "population",
})
SMALL_COUNT_MESSAGE = N_("Counts from 1 to the secrecy threshold: statistical secrecy asks "
                         "to hide these cells or group them with others.")
# Samples illustrate a finding; more would republish the secret cells.
MAX_SAMPLES = 5
# Distinct quasi-identifier classes kept in memory before k_anonymity stops tracking new ones.
MAX_CLASSES = 200_000
# Longer key values are stored as a prefix plus a digest, keeping classes distinct.
_KEY_VALUE_MAX = 64
_SAMPLE_VALUE_MAX = 40
# Thousands may be spaced ("1 234"); exports from dataframes write integral counts as "3.0".
_COUNT_RE = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:\.0+)?")


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _words(name: str) -> list[str]:
    # Split snake_case, kebab-case, spaces and camelCase alike.
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^a-z0-9]+", _fold(spaced)) if w]


def is_count_column(name: str) -> bool:
    """Tell whether a column name announces a count (nb_…, NOMBRE_…, effectif, total…)."""
    words = _words(name)
    # A lone "n" is the statisticians' count; inside a name ("annee_n") it is not.
    return words == ["n"] or any(word in COUNT_WORDS for word in words)


def _count(value: str) -> Optional[int]:
    """The integer a count cell holds ('1 234' allowed), None if it holds something else."""
    text = value.strip()
    if _COUNT_RE.fullmatch(text):
        return int(re.sub(r"\D", "", text.split(".")[0]))
    return None


def _short(value: str, size: int = _SAMPLE_VALUE_MAX) -> str:
    return value if len(value) <= size else value[:size - 1] + "…"


def _resolve(header: Sequence[str], names: Iterable[str], missing: str) -> list[int]:
    """Indexes of the named columns, matched exactly, else case- and accent-insensitively."""
    folded = {_fold(h).strip(): i for i, h in reversed(list(enumerate(header)))}
    indexes = []
    for name in names:
        if name in header:
            indexes.append(list(header).index(name))
        elif _fold(name).strip() in folded:
            indexes.append(folded[_fold(name).strip()])
        else:
            raise ScanError(missing, name=name)
    return indexes


@dataclasses.dataclass
class _CountColumn:
    valid: bool = True
    filled: int = 0
    flagged: int = 0
    samples: list[str] = dataclasses.field(default_factory=list)


def small_cells(header: Sequence[str], rows: Iterable[Sequence[str]], *,
                threshold: int = 10, count_columns: Optional[Sequence[str]] = None
                ) -> list[dict[str, Any]]:
    """Flag count cells from 1 to threshold in an aggregated table (statistical secrecy).

    Count columns are those given, else those whose name announces a count and
    whose non-empty cells are all non-negative integers. Zero is not secret.
    The other columns are dimensions: a sample shows their values (not personal
    by themselves) beside the small count, for at most MAX_SAMPLES cells.
    One finding per count column with secret cells, in the scanner's shape.
    """
    if count_columns is not None:
        candidates = _resolve(header, count_columns,
                              N_("The count column {name!r} is not in the table."))
        strict = False
    else:
        candidates = [i for i, name in enumerate(header) if is_count_column(name)]
        # Named like a count but holding text or decimals: not a count column after all.
        strict = True
    if not candidates:
        return []
    counted = set(candidates)
    dimensions = [i for i in range(len(header)) if i not in counted]
    state = {i: _CountColumn() for i in candidates}

    live = list(candidates)
    for row in rows:
        for i in live:
            column = state[i]
            if i >= len(row) or not row[i].strip():
                continue
            number = _count(row[i])
            if number is None:
                if strict:
                    column.valid = False
                continue
            column.filled += 1
            if 1 <= number <= threshold:
                column.flagged += 1
                if len(column.samples) < MAX_SAMPLES:
                    where = ", ".join(
                        f"{header[d]}={_short(row[d])}" for d in dimensions
                        if d < len(row) and row[d].strip())
                    column.samples.append(f"{where} → {number}" if where else str(number))
        if strict and not all(state[i].valid for i in live):
            live = [i for i in live if state[i].valid]
            if not live:
                return []  # no count column left: no need to read the rest of the file

    findings = []
    for i in candidates:
        column = state[i]
        if not column.valid or not column.flagged:
            continue
        findings.append({
            "column": header[i],
            "column_index": i,
            "kind": "small_count",
            "by": "value",
            "count": column.flagged,
            "share": round(column.flagged / column.filled, 4),
            "confidence": "high" if count_columns is not None else "medium",
            "samples": column.samples,
            "threshold": threshold,
            "message": SMALL_COUNT_MESSAGE,
        })
    return findings


def _key_part(value: str) -> str:
    value = value.strip()
    if len(value) <= _KEY_VALUE_MAX:
        return value
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{value[:_SAMPLE_VALUE_MAX]}…#{digest}"


def k_anonymity(header: Sequence[str], rows: Iterable[Sequence[str]],
                quasi_identifiers: Sequence[str], k: int = 5, *,
                max_classes: int = MAX_CLASSES) -> dict[str, Any]:
    """Group rows by their quasi-identifier values and report the classes smaller than k.

    Memory is bounded by max_classes distinct classes: past it, rows of new
    classes are counted in "rows_untracked" and "capped" is true, so the
    figures are then lower bounds of the risk.

    :returns: {"quasi_identifiers", "k", "rows", "classes", "k_min",
        "classes_below_k", "rows_in_small_classes", "share", "capped",
        "rows_untracked", "samples": [{"key": [values, truncated], "size"}]}
    """
    if not quasi_identifiers:
        raise ScanError(N_("No quasi-identifier column was declared."))
    if k < 2:
        raise ScanError(N_("k must be at least 2."))
    indexes = _resolve(header, quasi_identifiers,
                       N_("The quasi-identifier column {name!r} is not in the table."))
    classes: dict[tuple[str, ...], int] = {}
    total = 0
    untracked = 0
    for row in rows:
        total += 1
        key = tuple(_key_part(row[i]) if i < len(row) else "" for i in indexes)
        if key in classes:
            classes[key] += 1
        elif len(classes) < max_classes:
            classes[key] = 1
        else:
            untracked += 1

    small = [(size, key) for key, size in classes.items() if size < k]
    rows_small = sum(size for size, _ in small)
    small.sort()
    return {
        "quasi_identifiers": [header[i] for i in indexes],
        "k": k,
        "rows": total,
        "classes": len(classes),
        "k_min": min(classes.values()) if classes else None,
        "classes_below_k": len(small),
        "rows_in_small_classes": rows_small,
        "share": round(rows_small / total, 4) if total else 0.0,
        "capped": untracked > 0,
        "rows_untracked": untracked,
        "samples": [{"key": [_short(v.split("…#")[0]) for v in key], "size": size}
                    for size, key in small[:MAX_SAMPLES]],
    }
