"""Checksum and format validators for financial and health identifiers.

Each validator is a pure function ``str -> bool`` registered by name in
``VALIDATORS``; recognizer packs refer to them with ``validator: <name>``.
Validators normalise separators (spaces, dashes, dots) themselves, so a pack's
regex may accept ``4111 1111 1111 1111`` or ``4111-1111-1111-1111`` alike.
They never raise on odd input: anything malformed is simply ``False``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Callable

_SEPARATORS = re.compile(r"[\s.\-]+")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value)


def _all_same(digits: str) -> bool:
    return len(set(digits)) <= 1


# -- ISO 3166-1 alpha-2 (plus XK, Kosovo, used by SWIFT and IBAN) ------------------

COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN
    BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL
    GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM
    JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP
    NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD
    SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
    """.split()
)


# -- Luhn family ---------------------------------------------------------------------


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn(value: str) -> bool:
    """Luhn (mod 10) over the digits, e.g. payment card numbers."""
    digits = _compact(value)
    return len(digits) >= 2 and digits.isascii() and digits.isdigit() and not _all_same(digits) and _luhn_ok(digits)


def npi(value: str) -> bool:
    """US National Provider Identifier: 10 digits starting 1 or 2, Luhn over '80840' + NPI."""
    digits = _compact(value)
    return (
        len(digits) == 10 and digits.isascii() and digits.isdigit() and digits[0] in "12" and _luhn_ok("80840" + digits)
    )


def _alnum_to_digits(value: str) -> str:
    """Letters become two-digit numbers (A=10 … Z=35), as IBAN and ISIN require."""
    return "".join(str(int(ch, 36)) for ch in value)


def isin(value: str) -> bool:
    """ISO 6166 ISIN: 2-letter country/agency prefix, 9 alphanumerics, Luhn check digit."""
    code = _compact(value).upper()
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", code):
        return False
    if code[:2] not in COUNTRY_CODES and code[:2] not in _ISIN_AGENCY_PREFIXES:
        return False
    return _luhn_ok(_alnum_to_digits(code))


_ISIN_AGENCY_PREFIXES = frozenset({"XS", "EU", "XA", "XB", "XC", "XD"})


# -- IBAN ------------------------------------------------------------------------------

#: Total IBAN length per country (SWIFT IBAN registry, plus the countries that
#: publish IBAN-format account numbers outside the registry, e.g. much of West Africa).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
    # IBAN-format national account numbers (not in the SWIFT registry)
    "AO": 25, "BF": 28, "BJ": 28, "CF": 27, "CG": 27, "CI": 28, "CM": 27, "CV": 25,
    "DZ": 26, "GA": 27, "GQ": 27, "GW": 25, "IR": 26, "KM": 27, "MA": 28, "MG": 27,
    "ML": 28, "MZ": 25, "NE": 28, "SN": 28, "TD": 27, "TG": 28,
}  # fmt: skip


def iban_mod97(value: str) -> bool:
    """ISO 13616 IBAN: known country, exact length, mod 97 == 1."""
    code = _compact(value).upper()
    if len(code) < 15 or not code.isascii() or not code.isalnum():
        return False
    if IBAN_LENGTHS.get(code[:2]) != len(code) or not code[2:4].isdigit():
        return False
    return int(_alnum_to_digits(code[4:] + code[:4])) % 97 == 1


# -- US banking and tax --------------------------------------------------------------


def aba_routing(value: str) -> bool:
    """ABA routing transit number: valid Federal Reserve prefix and 3-7-1 checksum."""
    d = _compact(value)
    if len(d) != 9 or not d.isascii() or not d.isdigit() or _all_same(d):
        return False
    prefix = int(d[:2])
    # 00 government, 01-12 regular, 21-32 thrift, 61-72 electronic, 80 traveller's cheques
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    n = [int(c) for c in d]
    return (3 * (n[0] + n[3] + n[6]) + 7 * (n[1] + n[4] + n[7]) + (n[2] + n[5] + n[8])) % 10 == 0


#: EIN prefixes the IRS assigns (by campus / Internet / SBA).
_EIN_PREFIXES = frozenset(
    [f"{p:02d}" for p in [*range(1, 7), *range(10, 17), *range(20, 28), *range(30, 49), *range(50, 69)]]
    + [f"{p:02d}" for p in [*range(71, 78), *range(80, 89), *range(90, 96), 98, 99]]
)


def ein(value: str) -> bool:
    """US Employer Identification Number: 9 digits with a prefix the IRS assigns."""
    d = _compact(value)
    return len(d) == 9 and d.isascii() and d.isdigit() and d[:2] in _EIN_PREFIXES and d[2:] != "0000000"


def _itin_group(g: int) -> bool:
    return 50 <= g <= 65 or 70 <= g <= 88 or 90 <= g <= 92 or 94 <= g <= 99


def itin(value: str) -> bool:
    """US Individual Taxpayer Identification Number: 9XX-[50-65|70-88|90-92|94-99]-XXXX."""
    d = _compact(value)
    return (
        len(d) == 9 and d.isascii() and d.isdigit() and d[0] == "9" and _itin_group(int(d[3:5])) and d[5:] != "0000"
    )


# -- Securities ------------------------------------------------------------------------

_CUSIP_VALUES = {ch: int(ch, 36) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"} | {"*": 36, "@": 37, "#": 38}


def cusip(value: str) -> bool:
    """CUSIP: 8 characters plus a mod-10 'double-add-double' check digit."""
    code = _compact(value).upper()
    if len(code) != 9 or not code[8].isdigit() or _all_same(code) or any(c not in _CUSIP_VALUES for c in code[:8]):
        return False
    total = 0
    for i, ch in enumerate(code[:8]):
        v = _CUSIP_VALUES[ch] * (2 if i % 2 else 1)
        total += v // 10 + v % 10
    return (10 - total % 10) % 10 == int(code[8])


# -- SWIFT / BIC -------------------------------------------------------------------------


def swift_bic(value: str) -> bool:
    """ISO 9362 BIC: 4-letter bank, valid ISO country, 2-char location, optional 3-char branch."""
    code = _compact(value).upper()
    if not re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?", code):
        return False
    return code[4:6] in COUNTRY_CODES


# -- Health identifiers ------------------------------------------------------------------

_DEA_REGISTRANT = frozenset("ABCDEFGHJKLMPRSTUX")


def dea(value: str) -> bool:
    """DEA registration number: registrant letter, name letter (or 9), 7 digits with checksum."""
    code = _compact(value).upper()
    if len(code) != 9 or code[0] not in _DEA_REGISTRANT or not (code[1].isalpha() or code[1] == "9"):
        return False
    digits = code[2:]
    if not digits.isascii() or not digits.isdigit() or _all_same(digits):
        return False
    n = [int(c) for c in digits]
    return ((n[0] + n[2] + n[4]) + 2 * (n[1] + n[3] + n[5])) % 10 == n[6]


_MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z
_MBI_RULES = ("C", "A", "AN", "N", "A", "AN", "N", "A", "A", "N", "N")  # C = 1-9


def mbi(value: str) -> bool:
    """Medicare Beneficiary Identifier (CMS): 11 characters with fixed per-position rules."""
    code = _compact(value).upper()
    if len(code) != 11:
        return False
    for ch, rule in zip(code, _MBI_RULES):
        ok = (
            (rule == "C" and ch in "123456789")
            or (rule == "N" and ch in "0123456789")
            or (rule == "A" and ch in _MBI_ALPHA)
            or (rule == "AN" and (ch in _MBI_ALPHA or ch in "0123456789"))
        )
        if not ok:
            return False
    return True


# -- Crypto ----------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58)}


def _base58check(value: str) -> bytes | None:
    num = 0
    for ch in value:
        if ch not in _B58_INDEX:
            return None
        num = num * 58 + _B58_INDEX[ch]
    body = num.to_bytes((num.bit_length() + 7) // 8, "big")
    raw = b"\x00" * (len(value) - len(value.lstrip("1"))) + body
    if len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    return payload if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == check else None


_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3


def _bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def _convert_bits(data: list[int], frombits: int, tobits: int) -> list[int] | None:
    acc = bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for v in data:
        acc = (acc << frombits) | v
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return out


def _segwit_ok(address: str) -> bool:
    """BIP-173 / BIP-350 mainnet segwit address."""
    if address != address.lower() and address != address.upper():
        return False
    address = address.lower()
    hrp, sep, data_part = address.rpartition("1")
    if hrp != "bc" or not sep or len(address) > 90 or len(data_part) < 6:
        return False
    if any(c not in _BECH32_CHARSET for c in data_part):
        return False
    data = [_BECH32_CHARSET.index(c) for c in data_part]
    const = _bech32_polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data)
    version = data[0]
    program = _convert_bits(data[1:-6], 5, 8)
    if program is None or not 2 <= len(program) <= 40 or version > 16:
        return False
    if version == 0:
        return const == _BECH32_CONST and len(program) in (20, 32)
    return const == _BECH32M_CONST


def btc_address(value: str) -> bool:
    """Bitcoin mainnet address: base58check P2PKH/P2SH (1…, 3…) or bech32/bech32m (bc1…)."""
    value = value.strip()
    if value[:3].lower() == "bc1":
        return _segwit_ok(value)
    if value[:1] in ("1", "3") and 25 <= len(value) <= 35:
        payload = _base58check(value)
        return payload is not None and len(payload) == 21 and payload[0] in (0x00, 0x05)
    return False


# Keccak-256 (the pre-standard SHA-3 Ethereum uses; hashlib only has NIST SHA3).
_KECCAK_RC = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
_KECCAK_ROT = (  # rotation offsets, indexed [x + 5 * y]
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
)  # fmt: skip
_M64 = (1 << 64) - 1


def _keccak_f(a: list[int]) -> None:
    for rc in _KECCAK_RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _M64) for x in range(5)]
        b = [0] * 25
        for i in range(25):
            x, y = i % 5, i // 5
            v, r = a[i] ^ d[x], _KECCAK_ROT[i]
            b[y + 5 * ((2 * x + 3 * y) % 5)] = ((v << r) | (v >> (64 - r))) & _M64 if r else v
        for i in range(25):
            x, y = i % 5, i // 5
            a[i] = b[i] ^ ((~b[(x + 1) % 5 + 5 * y]) & b[(x + 2) % 5 + 5 * y])
        a[0] ^= rc


def keccak256(data: bytes, *, pad: int = 0x01) -> bytes:
    """Keccak-256 (``pad=0x06`` gives NIST SHA3-256, which the tests use as a cross-check)."""
    rate = 136
    msg = bytearray(data) + bytes([pad])
    msg += b"\x00" * (-len(msg) % rate)
    msg[-1] |= 0x80
    state = [0] * 25
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            state[i] ^= int.from_bytes(msg[off + 8 * i : off + 8 * i + 8], "little")
        _keccak_f(state)
    return b"".join(state[i].to_bytes(8, "little") for i in range(4))


def eth_address(value: str) -> bool:
    """Ethereum address: 0x + 40 hex; when mixed case, the EIP-55 checksum must hold."""
    value = value.strip()
    if not re.fullmatch(r"0x[0-9a-fA-F]{40}", value):
        return False
    body = value[2:]
    if _all_same(body.lower()):
        return False
    if body == body.lower() or body == body.upper():
        return True
    digest = keccak256(body.lower().encode("ascii")).hex()
    return all(
        ch.isdigit() or (ch.isupper() == (int(h, 16) >= 8)) for ch, h in zip(body, digest)
    )


# -- vehicles ---------------------------------------------------------------------------

_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))),
               **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}  # fmt: skip
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(value: str) -> bool:
    """Vehicle Identification Number (49 CFR 565 / ISO 3779): 17 characters without
    I, O or Q, and the mod-11 check digit in position 9 (``X`` for 10).  Vehicles
    built for North America carry the check digit; others may not."""
    code = _compact(value).upper()
    if len(code) != 17 or any(ch not in _VIN_VALUES for ch in code) or code.isdigit() or code.isalpha():
        return False
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(code, _VIN_WEIGHTS)) % 11
    return code[8] == ("X" if total == 10 else str(total))


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "luhn": luhn,
    "iban_mod97": iban_mod97,
    "aba_routing": aba_routing,
    "npi": npi,
    "dea": dea,
    "cusip": cusip,
    "isin": isin,
    "ein": ein,
    "itin": itin,
    "mbi": mbi,
    "swift_bic": swift_bic,
    "btc_address": btc_address,
    "eth_address": eth_address,
    "vin": vin,
}

__all__ = ["VALIDATORS", "COUNTRY_CODES", "IBAN_LENGTHS", "keccak256", *VALIDATORS]
