"""Column-name rules: which headers name personal data, with their false friends."""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

__all__ = ["normalise", "classify_header", "is_count_column", "is_entity_column",
           "is_numeric_context"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s_\-.'’/()°#:]+")

# Words that make a "nom"/"adresse"/"téléphone" column about a legal entity,
# a place or a thing rather than a person (SCDL: COMMUNE_NOM, nom_lieu,
# nomBeneficiaire of a subsidy, EQUIP_TEL, contact_service...).
_ENTITY_WORDS = {
    "commune", "coll", "collectivite", "lieu", "orga", "organisation", "organisme",
    "equipement", "equip", "etablissement", "structure", "service", "beneficiaire",
    "attribuant", "acheteur", "titulaire", "producteur", "entreprise", "societe",
    "association", "voie", "rue", "site", "station", "gare", "plat", "restaurant",
    "menu", "budget", "matiere", "dispositif", "projet", "operation", "programme",
    "couv", "spat", "ville", "departement", "region", "epci", "pays", "fichier",
    "jeu", "dataset", "ressource", "produit", "espece", "arbre", "parc", "ecole",
    "college", "lycee", "mairie", "direction", "delib", "nature", "fonction",
    "contnat", "bgt", "marche", "lot", "denomination", "raison", "sociale",
    "enseigne", "exec", "execution", "proprio", "voirie", "batiment", "salle",
}
_PERSON_WORDS = {
    "personne", "agent", "patient", "eleve", "usager", "demandeur", "habitant",
    "naissance", "usage", "famille", "epoux", "epouse", "conjoint",
    "pere", "mere", "enfant", "salarie", "employe", "candidat", "elu", "signataire",
    "representant", "client", "abonne", "locataire", "adherent", "licencie",
    "benevole", "titulaire", "proprietaire", "destinataire", "declarant", "redacteur",
    "auteur", "victime", "defunt", "jeune", "etudiant", "allocataire", "patronyme",
}
_COUNT_WORDS = {"nombre", "nb", "nbre", "effectif", "effectifs", "occurrences", "count",
                "total", "compte", "frequence"}
_NUMERIC_WORDS = {"montant", "id", "identifiant", "siret", "siren", "code", "ref",
                  "reference", "uid", "somme", "prix", "cout", "budget", "mt",
                  "montants", "valeur", "chiffre", "insee", "num", "numero"}


def normalise(name: str) -> str:
    """Lowercase, accents folded, camelCase split and separators unified to spaces."""
    name = _CAMEL.sub(" ", name.strip())
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", folded.lower()).strip()


def _words(name: str) -> set[str]:
    return set(normalise(name).split())


def is_count_column(name: str) -> bool:
    """Whether a header names a count (an aggregated table's measure)."""
    return bool(_words(name) & _COUNT_WORDS)


def is_entity_column(name: str) -> bool:
    """Whether a header is about an organisation, place or thing (not a person)."""
    words = _words(name)
    return bool(words & _ENTITY_WORDS) and not (words & _PERSON_WORDS - {"titulaire"})


def is_numeric_context(name: str) -> bool:
    """Whether a header names amounts or identifiers, where 10 digits are no phone."""
    words = _words(name)
    return bool(words & _NUMERIC_WORDS) and not words & {"tel", "telephone", "portable",
                                                          "mobile", "phone", "gsm"}


def _rule(name: str) -> Optional[str]:
    norm = normalise(name)
    words = set(norm.split())
    padded = f" {norm} "
    if not words:
        return None
    if words & {"nir", "secu", "insee"} and words & {"nir", "secu", "securite", "ss",
                                                    "assure", "personne"}:
        return "nir"
    if "nir" in words or " securite sociale" in padded or " numero ss " in padded or \
            " num ss " in padded or " no ss " in padded or " n ss " in padded:
        return "nir"
    if words & {"iban", "rib", "bic"} or " coordonnees bancaires " in padded:
        return "iban"
    if " immatriculation" in padded or words & {"plaque", "immat"}:
        return "plate"
    if " naissance " in padded or words & {"ddn", "birthdate", "dob"} or \
            " date of birth " in padded or " birth date " in padded or \
            norm in ("ne le", "nee le", "ne e le"):
        if words & {"lieu", "commune", "ville", "pays", "departement", "place"}:
            return "birth_place"
        if words & {"date", "ddn", "birthdate", "dob", "jour", "le"} or norm == "naissance":
            return "birth_date"
        if "nom" in words:
            return "name_column"
        return None
    entity = is_entity_column(name)
    if words & {"courriel", "mail", "email", "mel", "e", "adresse"} and (
        words & {"courriel", "mail", "email", "mel"} or " e mail " in padded
    ):
        return None if entity else "email"
    if words & {"telephone", "tel", "portable", "mobile", "gsm", "phone", "fax"}:
        return None if entity else "phone"
    if words & {"adresse", "adr", "domicile", "address"}:
        return None if entity else "address"
    if words & {"nom", "prenom", "prenoms", "patronyme", "surname", "firstname",
                "lastname", "forename"} or " first name " in padded or \
            " last name " in padded or " family name " in padded or \
            " given name " in padded or norm in ("nom complet", "identite", "full name"):
        return None if entity else "name_column"
    if words & {"ip"} and words & {"adresse", "address", "ip"} and len(words) <= 3:
        return "ip"
    return None


#: Words that make a "nom" column a person's name rather than any name.
_PERSON_NAME_WORDS = {"prenom", "prenoms", "patronyme", "surname", "firstname", "lastname",
                      "forename", "famille", "usage", "naissance", "epouse", "jeune",
                      "fille", "agent", "usager", "eleve", "enfant", "parent", "titulaire",
                      "demandeur", "contact", "responsable", "personne", "complet"}
#: Column kinds that show the rows describe people (a facility has a phone and a
#: mailbox too, so those do not).
_PERSON_KINDS = {"birth_date", "birth_place", "nir", "iban", "plate"}


def _generic_name(name: str) -> bool:
    words = _words(name)
    return "nom" in words and not words & _PERSON_NAME_WORDS


def classify_header(header: list[str]) -> dict[int, str]:
    """Map column index to the personal-data kind its name announces.

    A lone first-name column in a table with a count column is an aggregate
    (the SCDL prénoms file), not a list of people, so it is not flagged.
    """
    found = {i: kind for i, name in enumerate(header) if (kind := _rule(name))}
    has_count = any(is_count_column(name) for name in header)
    names = [i for i, k in found.items() if k == "name_column"]
    if has_count and names and all(
        _words(header[i]) & {"prenom", "prenoms", "firstname"} and
        not _words(header[i]) & {"nom"} for i in names
    ):
        for i in names:
            del found[i]
    # A bare "nom" names a facility, a commune or a species as often as a person:
    # it counts only beside another sign of people (first name, birth, contact...).
    generic = [i for i in names if i in found and _generic_name(header[i])]
    home = any(_words(name) & {"domicile", "residence"} for name in header)
    if generic and len(generic) == len([i for i in names if i in found]) and not home \
            and not any(k in _PERSON_KINDS for k in found.values()):
        for i in generic:
            del found[i]
    # An address is personal only next to a person.
    if not any(k in ("name_column", "birth_date", "nir") for k in found.values()):
        found = {i: k for i, k in found.items() if k != "address"}
    return found
