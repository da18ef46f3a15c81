"""Check digits of French identifiers: a number that fails its key is not that identifier."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s.\-]")


def compact(value: str) -> str:
    return _SPACES.sub("", value).upper()


def nir_is_valid(value: str) -> bool:
    """NIR (numéro de sécurité sociale): 13 characters + 2-digit key = 97 - number mod 97.

    Corsica departments 2A / 2B count as 19 / 18 for the key.

    >>> nir_is_valid("2 08 03 69 123 456 46"), nir_is_valid("1 85 05 2A 123 456 33")
    (True, True)
    """
    number = compact(value)
    if len(number) != 15:
        return False
    body, key = number[:13], number[13:]
    body = body.replace("2A", "19", 1) if body[5:7] == "2A" else body
    body = body.replace("2B", "18", 1) if body[5:7] == "2B" else body
    if not (body.isdigit() and key.isdigit()):
        return False
    return 97 - int(body) % 97 == int(key)


def iban_is_valid(value: str) -> bool:
    """IBAN mod-97 check (ISO 13616), any case, spaces allowed.

    >>> iban_is_valid("fr76 3000 6000 0112 3456 7890 189"), iban_is_valid("FR7630006000011234567890188")
    (True, False)
    """
    iban = compact(value)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def phone_canonical(value: str) -> str | None:
    """A French phone number as 10 digits starting with 0, or None if it is not one.

    >>> phone_canonical("+33 (0)6 12 34 56 78"), phone_canonical("0033612345678"), phone_canonical("12 34")
    ('0612345678', '0612345678', None)
    """
    digits = re.sub(r"\D", "", value.replace("(0)", ""))
    if value.strip().startswith("+"):
        digits = "+" + digits
    for prefix in ("+33", "0033"):
        if digits.startswith(prefix):
            digits = "0" + digits[len(prefix) :]
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        return digits
    return None
