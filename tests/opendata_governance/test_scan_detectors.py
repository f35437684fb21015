"""Value detectors: checksums, French formats and masks of the personal-data scanner."""
from __future__ import annotations

import pytest

from ckanext.opendata_governance.scan import detectors as det
from ckanext.opendata_governance.scan.columns import classify_header, normalise


@pytest.mark.parametrize("nir", [
    "1 85 05 78 006 084 91", "185057800608491", "2 69 01 49 588 157 16",
])
def test_nir_with_its_key_is_valid(nir):
    """A NIR whose key is 97 minus the number modulo 97 is accepted, spaced or not."""
    assert det.nir_valid(nir)


@pytest.mark.parametrize("nir", ["1 85 05 2A 006 084 35", "1 85 05 2B 006 084 62"])
def test_corsican_nir_uses_19_and_18_for_the_key(nir):
    """Corsica's 2A and 2B count as 19 and 18 in the key computation."""
    assert det.nir_valid(nir)


@pytest.mark.parametrize("nir", [
    "1 85 05 78 006 084 92",   # wrong key
    "1 85 05 2A 006 084 36",   # wrong Corsican key
    "5 85 05 78 006 084 91",   # no such sex digit
    "1 85 13 78 006 084 10",   # month 13 does not exist
    "1 85 05 78 006 084",      # too short
])
def test_nir_with_a_wrong_key_or_shape_is_rejected(nir):
    """A wrong key, sex digit, month or length is no NIR."""
    assert not det.nir_valid(nir)


@pytest.mark.parametrize("iban", [
    "FR76 3000 6000 0112 3456 7890 189", "DE89 3704 0044 0532 0130 00",
    "GB82 WEST 1234 5698 7654 32",
])
def test_iban_with_mod97_checksum_is_valid(iban):
    """An IBAN of the right length for its country with mod-97 = 1 is accepted."""
    assert det.iban_valid(iban)


@pytest.mark.parametrize("iban", [
    "FR76 3000 6000 0112 3456 7890 188",  # checksum broken
    "FR76 3000 6000 0112 3456 7890 18",   # FR length is 27
    "XX76 3000 6000 0112 3456 7890 189",  # unknown country
])
def test_iban_with_a_broken_checksum_or_length_is_rejected(iban):
    """A wrong checksum, country length or country is no IBAN."""
    assert not det.iban_valid(iban)


def test_rib_key_is_checked():
    """A French RIB is accepted with its key and refused with another."""
    assert det.rib_valid("30006 00001 12345678901 89")
    assert not det.rib_valid("30006 00001 12345678901 88")


def test_rib_account_letters_are_converted_for_the_key():
    """Letters in the account number count with the RIB letter table."""
    account = "1234567890A"  # A counts as 1
    key = 97 - (89 * 30006 + 15 * 1 + 3 * 12345678901) % 97
    assert det.rib_valid(f"30006 00001 {account} {key:02d}")


@pytest.mark.parametrize("card", ["4111 1111 1111 1111", "5555555555554444",
                                  "3782 822463 10005"])
def test_card_with_known_prefix_and_luhn_is_valid(card):
    """Visa, Mastercard and Amex test numbers pass prefix, length and Luhn."""
    assert det.card_valid(card)


@pytest.mark.parametrize("number", ["4111 1111 1111 1112", "52499120500013",
                                    "9111 1111 1111 1117"])
def test_luhn_failures_sirets_and_unknown_prefixes_are_no_cards(number):
    """A failed Luhn, a 14-digit SIRET or an unknown prefix is no card."""
    assert not det.card_valid(number)


@pytest.mark.parametrize("text", [
    "06 71 42 18 93", "06.71.42.18.93", "06-71-42-18-93", "0671421893",
    "+33 6 71 42 18 93", "+33671421893", "0033 6 71 42 18 93", "+33 (0)6 71 42 18 93",
    "02 99 28 55 45",
])
def test_french_phone_formats_are_found(text):
    """Mobile and landline numbers in their usual written forms are found."""
    matches = [m.group() for m in det.PHONE_RE.finditer(f"Tél. {text} (accueil)")]
    assert len(matches) == 1 and det.phone_normalise(matches[0])


@pytest.mark.parametrize("text", ["montant 1234567890,50", "2019-04-27", "35238",
                                  "00 00 00 00 00", "06712345678912"])
def test_non_phones_are_not_phones(text):
    """Decimals, dates, short codes, placeholders and long numbers are not phones."""
    assert not [m for m in det.PHONE_RE.finditer(text) if det.phone_normalise(m.group())]


@pytest.mark.parametrize("ip,valid", [
    ("192.168.1.10", True), ("2001:db8::8a2e:370:7334", True), ("256.1.1.1", False),
    ("10:30:00", False), ("0.0.0.0", False),
])
def test_ip_addresses_are_confirmed_by_ipaddress(ip, valid):
    """IPv4 and IPv6 candidates are confirmed by the ipaddress module."""
    assert det.ip_valid(ip) is valid


def test_email_span_is_found_around_the_at_sign():
    """The address is cut out of the surrounding text at its own edges."""
    text = "Écrire à jeanne.dupont@example.fr, merci."
    start, end = det.email_match_at(text, text.index("@"))
    assert text[start:end] == "jeanne.dupont@example.fr"


@pytest.mark.parametrize("kind,value,masked", [
    ("email", "jeanne.dupont@example.fr", "j***@***.fr"),
    ("phone", "06 71 42 18 93", "06 ** ** ** 93"),
    ("nir", "1 85 05 78 006 084 91", "1 ** ** ** *** *** 91"),
    ("card", "4111 1111 1111 1111", "4*** **** **** **11"),
    ("ip", "192.168.1.10", "192.***.***.***"),
])
def test_masks_keep_the_shape_and_hide_the_value(kind, value, masked):
    """A masked sample keeps separators and a few edge characters only."""
    assert det.mask(kind, value) == masked


def test_column_names_are_normalised():
    """Case, accents, camelCase and separators are folded before the rules run."""
    assert normalise("Date_de-Naissance") == "date de naissance"
    assert normalise("nomBénéficiaire") == "nom beneficiaire"


def test_personal_column_names_are_recognised():
    """The usual French headers of personal columns get their kind."""
    header = ["Nom", "Prénom", "Nom de naissance", "Nom d'usage", "Date de naissance",
              "Lieu de naissance", "Adresse", "Téléphone", "tel_portable", "Courriel",
              "E-mail", "N° sécurité sociale", "NIR", "IBAN", "Plaque d'immatriculation"]
    kinds = classify_header(header)
    assert [kinds.get(i) for i in range(len(header))] == [
        "name_column", "name_column", "name_column", "name_column", "birth_date",
        "birth_place", "address", "phone", "phone", "email", "email", "nir", "nir",
        "iban", "plate"]


@pytest.mark.parametrize("header", [
    ["COMMUNE_NOM", "COLL_INSEE", "ENFANT_SEXE", "ENFANT_PRENOM", "NOMBRE_OCCURRENCES"],
    ["nomAttribuant", "idAttribuant", "nomBeneficiaire", "idBeneficiaire", "montant"],
    ["id_lieu", "nom_lieu", "ad_lieu", "com_lieu", "proprio"],
    ["EQUIP_NOM", "ADR_NUMERO", "ADR_NOMVOIE", "EQUIP_TEL", "EQUIP_EMAIL"],
    ["titre", "nom_orga", "contact_service", "acheteur.nom", "titulaire.denominationSociale"],
])
def test_false_friends_of_the_scdl_are_not_personal(header):
    """Names of communes, places, facilities, organisations and aggregated first names are not flagged."""
    assert classify_header(header) == {}


def test_address_column_counts_only_next_to_a_person():
    """An address column is personal when the table also names people."""
    assert classify_header(["equipement", "adresse"]) == {}
    assert classify_header(["nom", "prenom", "adresse"]) == {
        0: "name_column", 1: "name_column", 2: "address"}
    assert classify_header(["nom", "domicile"]) == {0: "name_column", 1: "address"}


def test_a_bare_nom_column_alone_names_things_not_people():
    """'nom' beside places or an address (a list of facilities) is not a person column."""
    assert classify_header(["id", "nom", "type", "commune", "latitude"]) == {}
    assert classify_header(["nom", "adresse", "telephone_accueil"]) == {2: "phone"}
    assert classify_header(["nom_francais", "genre", "espece"]) == {}
    assert classify_header(["nom", "courriel"]) == {1: "email"}
    assert classify_header(["nom", "date_naissance"]) == {0: "name_column", 1: "birth_date"}
