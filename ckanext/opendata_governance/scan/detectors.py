"""Value detectors for personal data: patterns, checksums and shape-keeping masks."""
from __future__ import annotations

import ipaddress
import re
from typing import Optional

__all__ = [
    "nir_valid", "iban_valid", "rib_valid", "luhn_valid", "card_valid",
    "phone_normalise", "ip_valid", "email_match_at", "mask",
    "PHONE_RE", "NIR_RE", "IBAN_RE", "RIB_RE", "CARD_RE", "IPV4_RE", "IPV6_RE",
    "ADDRESS_RE", "DATE_RE",
]

# Patterns run on one decoded line only, after a cheap byte-level prefilter
# chose it, so their cost does not scale with the file.
PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)33[ .\-]?(?:\(0\)[ .\-]?)?[1-9]|0[1-9])"
    r"(?:[ .\-]?\d\d){4}(?![\w]|[.,]\d)"
)
NIR_RE = re.compile(
    r"(?<![\w])[1-478] ?\d\d ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d\d|2[ABab]) ?"
    r"\d{3} ?\d{3} ?\d\d(?![\w])"
)
IBAN_RE = re.compile(
    r"(?<![\w])[A-Z]{2}\d\d(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![\w])"
)
RIB_RE = re.compile(r"(?<![\w])\d{5}[ ]?\d{5}[ ]?[0-9A-Z]{11}[ ]?\d\d(?![\w])")
CARD_RE = re.compile(r"(?<![\w])\d(?:[ \-]?\d){12,18}(?![\w])")
IPV4_RE = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
IPV6_RE = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
DATE_RE = re.compile(
    r"^\s*(?:(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\d\d)"
    r"(?:[T ]\d\d:\d\d(?::\d\d)?)?\s*$"
)
ADDRESS_RE = re.compile(
    r"(?<![\w])\d{1,4}(?: ?(?:bis|ter|[a-d]))?,? (?:rue|avenue|av\.?|bd|boulevard|"
    r"impasse|all[ée]e|chemin|place|route|quai|cours|square|r[ée]sidence|lotissement|"
    r"chauss[ée]e|passage|sentier|voie|esplanade|faubourg|hameau|lieu[- ]dit|rte|imp|ch)"
    r"\b",
    re.IGNORECASE,
)
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}$")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24}(?![\w.-]*@)")

# ISO 13616 lengths; the French territories sharing FR's RIB come first.
IBAN_LENGTHS = {
    "FR": 27, "MC": 27, "GF": 27, "GP": 27, "MQ": 27, "RE": 27, "PF": 27,
    "TF": 27, "YT": 27, "NC": 27, "PM": 27, "WF": 27, "BL": 27, "MF": 27,
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
    "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "GB": 22, "GR": 27,
    "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
    "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "VA": 22, "MA": 28,
    "TN": 24, "DZ": 26, "SN": 28, "CI": 28, "TR": 26, "BR": 29, "SA": 24,
}
# Payment card IIN prefixes and lengths; 14-digit Diners numbers are left
# out because every SIRET also passes Luhn at that length.
_CARD_BRANDS: tuple[tuple[tuple[int, int], int, tuple[int, ...]], ...] = (
    ((4, 4), 1, (13, 16, 19)),            # Visa
    ((51, 55), 2, (16,)),                 # Mastercard
    ((2221, 2720), 4, (16,)),             # Mastercard 2-series
    ((34, 34), 2, (15,)),                 # American Express
    ((37, 37), 2, (15,)),
    ((6011, 6011), 4, (16, 19)),          # Discover
    ((65, 65), 2, (16, 19)),
    ((644, 649), 3, (16, 19)),
    ((3528, 3589), 4, (16, 19)),          # JCB
    ((62, 62), 2, (16, 17, 18, 19)),      # UnionPay
    ((5018, 5018), 4, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
    ((5020, 5020), 4, (16, 19)),
    ((5038, 5038), 4, (16, 19)),
    ((6304, 6304), 4, (16, 19)),
    ((67, 67), 2, (16, 19)),
)
_RIB_LETTERS = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789"
)


def _digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value)


def nir_valid(value: str) -> bool:
    """Whether a French NIR (15 characters, spaces allowed) has a valid key."""
    nir = _digits(value).upper()
    if len(nir) != 15 or not nir[13:].isdigit():
        return False
    body = nir[:13]
    if body[5:7] in ("2A", "2B"):
        # INSEE replaces Corsica's department letters for the key only.
        number = int(body[:5] + ("19" if body[5:7] == "2A" else "18") + body[7:])
    elif body.isdigit():
        number = int(body)
    else:
        return False
    if body[0] not in "123478":
        return False
    month = int(body[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return False
    return 97 - number % 97 == int(nir[13:])


def iban_valid(value: str) -> bool:
    """Whether an IBAN has its country's length and a valid ISO 13616 mod-97."""
    iban = re.sub(r"\s", "", value).upper()
    if len(iban) < 15 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is None or len(iban) != expected or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def rib_valid(value: str) -> bool:
    """Whether a French RIB (bank 5, guichet 5, compte 11, clé 2) has its key."""
    rib = re.sub(r"\s", "", value).upper()
    if len(rib) != 23 or not (rib[:10].isdigit() and rib[21:].isdigit()):
        return False
    account = rib[10:21].translate(_RIB_LETTERS)
    if not account.isdigit():
        return False
    bank, branch = int(rib[:5]), int(rib[5:10])
    key = 97 - (89 * bank + 15 * branch + 3 * int(account)) % 97
    return key == int(rib[21:])


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_valid(value: str) -> bool:
    """Whether a number is a payment card: known IIN prefix, length and Luhn."""
    digits = _digits(value)
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    if len(set(digits)) == 1:
        return False
    for (low, high), width, lengths in _CARD_BRANDS:
        if len(digits) in lengths and low <= int(digits[:width]) <= high:
            return luhn_valid(digits)
    return False


def phone_normalise(value: str) -> Optional[str]:
    """The national 10-digit form of a French phone number, or None."""
    digits = re.sub(r"[\s.\-]", "", value).replace("(0)", "")
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    if digits.startswith("00"):
        digits = digits[1:]
    if len(digits) != 10 or not digits.isdigit() or digits[1] == "0":
        return None
    # All-same or counting digits are placeholders, not numbers.
    if len(set(digits[2:])) == 1 or digits[2:] in ("12345678", "01234567"):
        return None
    return digits


def ip_valid(value: str) -> bool:
    """Whether a value is a public-looking IPv4 or IPv6 address."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    if address.version == 6 and "::" not in value and value.count(":") < 7:
        return False
    return not address.is_unspecified


def email_match_at(text: str, at: int) -> Optional[tuple[int, int]]:
    """The span of an e-mail address around the '@' at index ``at``, or None."""
    local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
    if local is None:
        return None
    start = local.start()
    while start < at and text[start] in "._%+-":
        start += 1
    domain = _EMAIL_DOMAIN.match(text, at + 1)
    if domain is None or start == at:
        return None
    return start, domain.end()


def _mask_digits(value: str, keep_head: int, keep_tail: int) -> str:
    total = sum(c.isalnum() for c in value)
    out, seen = [], 0
    for c in value:
        if c.isalnum():
            seen += 1
            out.append(c if seen <= keep_head or seen > total - keep_tail else "*")
        else:
            out.append(c)
    return "".join(out)


def mask(kind: str, value: str) -> str:
    """A sample that keeps the shape of a value but never the value itself."""
    value = value.strip()
    if kind == "email":
        local, _, domain = value.partition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        return f"{local[:1]}***@***.{tld}"
    if kind == "phone":
        return _mask_digits(value, 2, 2)
    if kind in ("nir", "card"):
        return _mask_digits(value, 1, 2)
    if kind == "iban":
        return _mask_digits(value, 2, 2)
    if kind == "rib":
        return _mask_digits(value, 0, 2)
    if kind == "ip":
        sep = ":" if ":" in value else "."
        head = value.split(sep)[0]
        return head + "".join(sep + "***" for _ in value.split(sep)[1:])
    if kind == "birth_date":
        return re.sub(r"\d", "*", value)
    if kind == "address":
        m = ADDRESS_RE.search(value)
        voie = m.group(0).split()[-1] if m else "***"
        return f"** {voie} ***"
    return re.sub(r"\w", "*", value)
