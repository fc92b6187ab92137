"""Which characters an input string may hold: what XML 1.0 can carry, so every format can write it."""
from __future__ import annotations

import re

# Not an XML 1.0 Char: C0 controls other than tab, LF and CR; lone surrogates
# (which a JSON \ud800 escape can make, and no UTF-8 file can hold); U+FFFE/FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def bad_character(text: str) -> str | None:
    """How to name the first character of `text` that XML cannot carry (such as 'U+0000'), or None."""
    found = NOT_XML.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"
