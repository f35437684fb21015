"""Messages of ckanext-validation (which ships no French catalogue) that the portal's
resource pages and its report page show: CKAN merges every plugin's catalogue into one,
so ours translates them. Listed here so that scripts/i18n-extract.sh keeps them."""
from __future__ import annotations

__all__ = ["BORROWED"]


def N_(message: str) -> str:
    """Marks a message for extraction; ckanext-validation translates it where it shows it."""
    return message


BORROWED = (
    # Its badge (helpers.get_validation_badge), on the resource page and in listings.
    N_("valid"), N_("invalid"), N_("error"), N_("unknown"), N_("data"),
    N_("Valid data"), N_("Invalid data"), N_("invalid data"),
    N_("Error during validation"), N_("Data validation unknown"),
    # Its report page (validation/validation_read.html, common.validation).
    N_("Validation Report"), N_("Validation timestamp"), N_("Duration"),
    N_("Unauthorized to read this validation report"),
    N_("No validation report exists for this resource"),
)
