"""Statistical secrecy flags counts from 1 to 10 in aggregated tables; k-anonymity finds small classes."""
from __future__ import annotations

import csv
import pathlib

import pytest

from ckanext.opendata_governance.scan import ScanError
from ckanext.opendata_governance.scan.secrecy import is_count_column, k_anonymity, small_cells

PRENOMS = (pathlib.Path(__file__).parent.parent / "fixtures" / "scan_formats"
           / "prenoms-nouveaux-nes_exemple-valide.csv")


def _prenoms() -> tuple[list[str], list[list[str]]]:
    with PRENOMS.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


def test_prenoms_counts_from_1_to_10_are_flagged():
    """In the Rennes first-names table, Tao (8) and Thalia (10, the threshold itself) are flagged."""
    header, rows = _prenoms()
    [finding] = small_cells(header, iter(rows))
    assert finding["column"] == "NOMBRE_OCCURRENCES"
    assert finding["column_index"] == 4
    assert finding["kind"] == "small_count"
    assert finding["count"] == 2
    assert finding["share"] == round(2 / 16, 4)
    assert finding["samples"] == [
        "COMMUNE_NOM=Rennes, COLL_INSEE=35238, ENFANT_SEXE=M, ENFANT_PRENOM=Tao, ANNEE=2012 → 8",
        "COMMUNE_NOM=Rennes, COLL_INSEE=35238, ENFANT_SEXE=F, ENFANT_PRENOM=Thalia, ANNEE=2012 → 10",
    ]


def test_a_lower_threshold_flags_fewer_cells():
    """With a threshold of 9, the count of 10 is no longer secret."""
    header, rows = _prenoms()
    [finding] = small_cells(header, rows, threshold=9)
    assert finding["count"] == 1
    assert finding["threshold"] == 9


def test_zero_and_counts_above_the_threshold_are_not_secret():
    """A count of 0 reveals nobody, and 11 is above the French threshold."""
    header = ["commune", "tranche_age", "effectif"]
    rows = [["Rennes", "0-4", "0"], ["Rennes", "5-9", "11"], ["Rennes", "10-14", "1 204"]]
    assert small_cells(header, rows) == []


def test_counts_written_as_integral_decimals_are_counts():
    """Dataframe exports write counts as "3.0": they are still counts, and still secret."""
    header = ["departement", "nb_deces"]
    rows = [["35", "3.0"], ["29", "120.0"]]
    [finding] = small_cells(header, rows)
    assert finding["samples"] == ["departement=35 → 3"]


def test_a_count_named_column_holding_text_is_not_a_count():
    """A column named like a count but holding text or decimals is left alone."""
    header = ["commune", "nombre", "valeur"]
    rows = [["Rennes", "3", "2,5"], ["Brest", "beaucoup", "1"]]
    assert small_cells(header, rows) == []


def test_declared_count_columns_are_used_whatever_their_name():
    """A column given in count_columns is checked even if its name says nothing."""
    header = ["commune", "annee", "naissances_jumeaux"]
    rows = [["Rennes", "2020", "4"], ["Brest", "2020", "n.d."], ["Vitré", "2020", "25"]]
    assert small_cells(header, rows) == []
    [finding] = small_cells(header, rows, count_columns=["naissances_jumeaux"])
    assert (finding["count"], finding["share"], finding["confidence"]) == (1, 0.5, "high")


def test_samples_are_capped_at_five():
    """However many cells are secret, at most five are shown."""
    header = ["iris", "nb_allocataires"]
    rows = [[f"3523800{i:02d}", str(i % 9 + 1)] for i in range(40)]
    [finding] = small_cells(header, rows)
    assert finding["count"] == 40
    assert len(finding["samples"]) == 5


def test_an_unknown_count_column_is_a_scan_error():
    """Declaring a count column that the table does not have is reported, not ignored."""
    with pytest.raises(ScanError, match="effectif"):
        small_cells(["commune", "nb"], [], count_columns=["effectif"])


@pytest.mark.parametrize("name", ["NOMBRE_OCCURRENCES", "nb_naissances", "Effectif",
                                  "nbreLogements", "Total", "n", "Fréquence"])
def test_count_column_names_are_recognised(name):
    """French and English count names, in any case and with accents, announce a count."""
    assert is_count_column(name)


@pytest.mark.parametrize("name", ["COLL_INSEE", "ANNEE", "annee_n", "nom", "numero"])
def test_other_column_names_are_not_counts(name):
    """Codes, years and names are dimensions, not counts."""
    assert not is_count_column(name)


def _people() -> tuple[list[str], list[list[str]]]:
    header = ["Commune", "Sexe", "Année de naissance", "Montant"]
    rows = ([["Rennes", "F", "1980", "100"]] * 6 + [["Rennes", "M", "1980", "90"]] * 5
            + [["Vitré", "F", "1931", "70"]] * 2 + [["Bécherel", "M", "1925", "50"]])
    return header, rows


def test_k_anonymity_reports_the_classes_smaller_than_k():
    """Of four classes (6, 5, 2 and 1 rows), the two below k=5 hold 3 of 14 rows."""
    header, rows = _people()
    result = k_anonymity(header, iter(rows), ["Commune", "Sexe", "Année de naissance"], k=5)
    assert result["rows"] == 14
    assert result["classes"] == 4
    assert result["k_min"] == 1
    assert result["classes_below_k"] == 2
    assert result["rows_in_small_classes"] == 3
    assert result["share"] == round(3 / 14, 4)
    assert result["samples"] == [{"key": ["Bécherel", "M", "1925"], "size": 1},
                                 {"key": ["Vitré", "F", "1931"], "size": 2}]
    assert result["capped"] is False


def test_k_anonymity_with_coarser_quasi_identifiers_can_pass():
    """Grouping by commune alone leaves only the Bécherel and Vitré classes below k=3."""
    header, rows = _people()
    result = k_anonymity(header, rows, ["commune"], k=3)
    assert (result["k_min"], result["classes_below_k"]) == (1, 2)
    assert k_anonymity(header, rows, ["Sexe"], k=3)["classes_below_k"] == 0


def test_k_anonymity_caps_the_classes_it_tracks():
    """Past max_classes distinct keys, new rows are counted as untracked and the result says so."""
    header = ["code_postal", "date_naissance"]
    rows = ([["35000", f"1980-01-{d:02d}"] for d in range(1, 29)])
    result = k_anonymity(header, rows, header, k=5, max_classes=10)
    assert result["classes"] == 10
    assert result["capped"] is True
    assert result["rows_untracked"] == 18


def test_k_anonymity_keeps_long_values_apart_and_truncates_their_samples():
    """Two long values sharing a prefix stay two classes; samples show a short prefix only."""
    prefix = "12 rue de la République, appartement " + "x" * 40
    rows = [[prefix + "A"], [prefix + "B"]]
    result = k_anonymity(["adresse"], rows, ["adresse"], k=2)
    assert result["classes"] == 2
    assert all(len(s["key"][0]) <= 40 for s in result["samples"])


def test_k_anonymity_on_an_unknown_column_is_a_scan_error():
    """A quasi-identifier that the table does not have is reported by name."""
    with pytest.raises(ScanError, match="age"):
        k_anonymity(["commune"], [], ["age"])
