"""Checksum validators: valid synthetic values pass, one-character lookalikes fail."""

from __future__ import annotations

import hashlib
import random

import pytest

from redactor.detect.validators import (
    COUNTRY_CODES,
    IBAN_LENGTHS,
    VALIDATORS,
    aba_routing,
    btc_address,
    cusip,
    dea,
    ein,
    eth_address,
    iban_mod97,
    isin,
    itin,
    keccak256,
    luhn,
    mbi,
    npi,
    swift_bic,
)

# -- synthetic value builders (compute the check digit the way the standard says) ----


def luhn_complete(body: str) -> str:
    for d in "0123456789":
        if luhn(body + d):
            return body + d
    raise AssertionError("no Luhn digit")


def make_iban(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def make_aba(first8: str) -> str:
    n = [int(c) for c in first8]
    partial = 3 * (n[0] + n[3] + n[6]) + 7 * (n[1] + n[4] + n[7]) + n[2] + n[5]
    return first8 + str(-partial % 10)


def make_npi(first9: str) -> str:
    return next(first9 + d for d in "0123456789" if npi(first9 + d))


def make_dea(letters: str, six: str) -> str:
    n = [int(c) for c in six]
    return f"{letters}{six}{((n[0] + n[2] + n[4]) + 2 * (n[1] + n[3] + n[5])) % 10}"


def make_cusip(first8: str) -> str:
    return next(first8 + d for d in "0123456789" if cusip(first8 + d))


def make_isin(first11: str) -> str:
    return next(first11 + d for d in "0123456789" if isin(first11 + d))


def change_one_digit(value: str, index: int = -1) -> str:
    """Same shape, one digit different: the lookalike every validator must reject."""
    positions = [i for i, c in enumerate(value) if c.isdigit()]
    i = positions[index]
    return value[:i] + str((int(value[i]) + 1) % 10) + value[i + 1 :]


# -- registry ----------------------------------------------------------------------------


def test_registry_names():
    assert set(VALIDATORS) == {
        "luhn", "iban_mod97", "aba_routing", "npi", "dea", "cusip", "isin", "ein", "itin", "mbi",
        "swift_bic", "btc_address", "eth_address", "vin",
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(VALIDATORS))
def test_validators_never_raise_on_junk(name):
    for junk in ["", " ", "-", "abc", "0" * 40, "é" * 12, "１２３４５６７８９", "0x", "bc1", "1" * 100]:
        assert VALIDATORS[name](junk) in (True, False)


# -- Luhn family ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "card", ["4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444", "378282246310005", "6011111111111117"]
)
def test_luhn_cards(card):
    assert luhn(card)
    assert not luhn(change_one_digit(card))


def test_luhn_rejects_degenerate():
    assert not luhn("0000 0000 0000 0000")
    assert not luhn("4")


def test_luhn_synthetic_numbers():
    rng = random.Random(7)
    for _ in range(200):
        card = luhn_complete("4" + "".join(rng.choice("0123456789") for _ in range(14)))
        assert luhn(card)
        assert not luhn(change_one_digit(card, rng.randrange(15)))


def test_npi():
    assert npi("1234567893")  # the CMS documentation example
    assert not npi("1234567894")
    assert not npi("3234567893")  # must start with 1 or 2
    assert not npi("123456789")
    value = make_npi("198765432")
    assert npi(value) and npi(f"{value[:5]} {value[5:]}")
    assert not npi(change_one_digit(value, 3))


def test_isin():
    for value in ["US0378331005", "GB0002634946", "DE000BAY0017", make_isin("XS202147188")]:
        assert isin(value), value
        assert not isin(change_one_digit(value))
    assert not isin("ZZ0378331005")  # not a country or agency prefix
    assert not isin("US037833100")


# -- IBAN ----------------------------------------------------------------------------------


def test_iban_known_examples():
    for value in [
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "DE89370400440532013000",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NO93 8601 1117 947",
        "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
        "NL91 ABNA 0417 1643 00",
    ]:
        assert iban_mod97(value), value
        assert not iban_mod97(change_one_digit(value))


def test_iban_every_country_length():
    rng = random.Random(11)
    assert len(IBAN_LENGTHS) >= 100
    for country, length in IBAN_LENGTHS.items():
        assert country in COUNTRY_CODES
        bban = "".join(rng.choice("0123456789") for _ in range(length - 4))
        value = make_iban(country, bban)
        assert iban_mod97(value), country
        assert iban_mod97(" ".join(value[i : i + 4] for i in range(0, len(value), 4))), country
        assert not iban_mod97(change_one_digit(value)), country
        assert not iban_mod97(value + "0"), country  # wrong length for the country
        assert not iban_mod97(value[:-1]), country


def test_iban_rejects_unknown_country():
    assert not iban_mod97(make_iban("ZZ", "1234567890123456"))


# -- US banking and tax -------------------------------------------------------------------------


def test_aba_routing():
    for value in ["021000021", "011000015", "121000358", make_aba("26107426"), make_aba("32227034")]:
        assert aba_routing(value), value
        assert not aba_routing(change_one_digit(value))
    assert aba_routing("0210-0002-1")
    assert not aba_routing("000000000")
    assert not aba_routing(make_aba("50000000"))  # 50 is not a Federal Reserve prefix
    assert not aba_routing("02100002")


def test_ein():
    assert ein("12-3456789") and ein("123456789")
    for bad_prefix in ["00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"]:
        assert not ein(f"{bad_prefix}-3456789"), bad_prefix
    assert not ein("12-0000000")
    assert not ein("12-345678")


def test_itin():
    for group in [50, 65, 70, 88, 90, 92, 94, 99]:
        assert itin(f"912-{group}-1234"), group
    for group in [49, 66, 69, 89, 93, 10]:
        assert not itin(f"912-{group}-1234"), group
    assert not itin("812-70-1234")
    assert itin("912 70 1234") and itin("912701234")


# -- securities ---------------------------------------------------------------------------------


def test_cusip():
    for value in ["037833100", "594918104", "38259P508", make_cusip("9128285M")]:
        assert cusip(value), value
        assert not cusip(change_one_digit(value))
    assert not cusip("000000000")
    assert not cusip("03783310")


# -- SWIFT ----------------------------------------------------------------------------------------


def test_swift_bic():
    for value in ["DEUTDEFF", "BOFAUS3N", "NWBKGB2L", "DEUTDEFF500", "CHASUS33XXX"]:
        assert swift_bic(value), value
    assert not swift_bic("DEUTZZFF")  # ZZ is not a country
    assert not swift_bic("HOSPITALS")  # 9 characters
    assert not swift_bic("DEUT1EFF")  # bank code must be letters
    assert not swift_bic("DEUTDEFF50")  # 10 characters


# -- health -------------------------------------------------------------------------------------


def test_dea():
    for value in ["AB1234563", make_dea("BJ", "382910"), make_dea("M9", "104857"), make_dea("FX", "550123")]:
        assert dea(value), value
        assert not dea(change_one_digit(value))
    assert not dea(make_dea("IB", "123456"))  # I is not a registrant type
    assert not dea(make_dea("A1", "123456"))  # second character must be a letter or 9


def test_mbi():
    assert mbi("1EG4-TE5-MK73")  # the CMS example
    assert mbi("1EG4TE5MK73")
    assert mbi("9AA0-AA0-AA00")
    assert not mbi("1EG4-TE5-MK7")
    assert not mbi("0EG4-TE5-MK73")  # position 1 is 1-9
    assert not mbi("1SG4-TE5-MK73")  # S is excluded
    assert not mbi("1EG4-TE5-MB73")  # B is excluded
    assert not mbi("1EGA-TE5-MK73")  # position 4 is numeric


# -- crypto -------------------------------------------------------------------------------------


def test_keccak_matches_sha3_construction_and_known_vector():
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    for message in [b"", b"abc", b"x" * 135, b"x" * 136, b"y" * 300]:
        assert keccak256(message, pad=0x06) == hashlib.sha3_256(message).digest()


def test_btc_address():
    for value in [
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    ]:
        assert btc_address(value), value
        assert not btc_address(value[:-1] + ("q" if value[-1] != "q" else "p")), value
    assert not btc_address("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")
    assert not btc_address("bc1QAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")  # mixed case
    # a v0 program with the bech32m constant is invalid (BIP-350)
    assert not btc_address("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh")


def test_eth_address():
    for value in [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]:
        assert eth_address(value), value
        assert eth_address(value.lower())  # no checksum claimed
        i = max(k for k, c in enumerate(value) if c.isalpha() and k > 1)
        flipped = value[:i] + value[i].swapcase() + value[i + 1 :]
        assert not eth_address(flipped), value
    assert not eth_address("0x" + "0" * 40)
    assert not eth_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe")


def test_vin_mod11_check_digit():
    from redactor.detect.validators import vin

    assert vin("1M8GDM9AXKP042788")  # check digit X (10)
    assert vin("1HGCM82633A004352") and vin("1hgcm82633a004352")
    assert not vin("1HGCM82634A004352")  # wrong check digit
    assert not vin("1HGCM82633A00435")  # 16 characters
    assert not vin("IHGCM82633A004352")  # I is never used
    assert not vin("11111111111111111")
