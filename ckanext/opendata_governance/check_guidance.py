"""Why each built-in check matters and how a producer fixes a failure (msgids)."""
from __future__ import annotations

__all__ = ["of"]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


#: check id -> (why it matters, how to fix a failure). The law cited is the French
#: public-data law (Code des relations entre le public et l'administration) and the GDPR.
_GUIDANCE = {
    "licence_open": (
        N_("The law asks public data to be published under a licence that allows free "
           "reuse, including commercial reuse (Licence Ouverte or ODbL); without one, "
           "nobody may legally reuse the data."),
        N_("In the dataset form, choose the Licence Ouverte 2.0 or the ODbL in the "
           "Licence field.")),
    "personal_data_declared": (
        N_("Data about identifiable people may be published only once anonymised (GDPR): "
           "a dataset declared as holding personal data cannot be opened as it is."),
        N_("Remove or anonymise the personal data, then set \u00ab Contains personal data \u00bb "
           "to No in the dataset form; if the data must stay personal, keep the dataset "
           "private.")),
    "metadata_complete": (
        N_("Reusers and the national catalogue find and trust a dataset by its metadata; "
           "the owner service and the data steward are who they ask questions to."),
        N_("Edit the dataset and fill in the fields named in the findings.")),
    "open_format": (
        N_("The law asks for an open, machine-readable format: a reuser must be able to "
           "read the file with free software and with a program."),
        N_("Publish the file as CSV, ODS, JSON or GeoJSON as well (or instead); a PDF or "
           "a spreadsheet in a closed format can stay beside it.")),
    "description_long_enough": (
        N_("A reuser who does not know your service reads the description to understand "
           "what the data holds, where it comes from and what its limits are."),
        N_("Edit the dataset and describe the content, the source, the period covered and "
           "how often it is updated.")),
    "resources_reachable": (
        N_("A dead link makes the dataset useless and breaks the applications that reuse "
           "it."),
        N_("Upload the file again, or correct the resource's URL so that it answers.")),
    "schema_conformity": (
        N_("A resource that declares a schema promises its reusers columns and values "
           "they can rely on; the national schemas are how the same data is compared "
           "from one local authority to another."),
        N_("Correct the rows and columns named in the findings (names, types, required "
           "values), or remove the declared schema if the file does not follow it.")),
    "personal_data_scan": (
        N_("Publishing names, e-mail addresses, phone numbers or bank details of people "
           "breaches the GDPR: once published, the data cannot be taken back."),
        N_("Remove or anonymise the columns named in the findings (a copy without them "
           "can be downloaded from the resource page), upload the file again and run "
           "the checks again.")),
    "statistical_secrecy": (
        N_("Statistical secrecy forbids counts so small that they point at a few people "
           "or businesses: they can be re-identified from them."),
        N_("Group the small counts into a wider category, or replace them with "
           "\u00ab secret \u00bb, then upload the file again.")),
}


def of(check_id: str) -> dict[str, str]:
    """The ``why`` and ``fix`` keyword arguments of a built-in check."""
    why, fix = _GUIDANCE[check_id]
    return {"why": why, "fix": fix}
