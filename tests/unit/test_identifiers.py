"""Identifier rules: normalise, then validate with python-stdnum, naming the check that failed."""

from __future__ import annotations

import pytest

from xinyong.domain.identifiers import (
    IdType,
    check_citizen_id,
    check_identifier,
    check_organisation_code,
    check_uscc,
    guess_id_type,
    normalize,
    parse_id_type,
    validate_identifier,
)
from xinyong.errors import InvalidInput

# A sample of python-stdnum's public test vectors (tests/test_cn_uscc.doctest).
STDNUM_VALID_USCC = [
    "121200004013590816", "91110000600037341L", "91110000710926094P", "911522010783762860",
    "9115220107837757XE", "91310115MA1K3BTP2B", "91340600MA2PBP2120", "91620105L015101280",
    "92340602MA2PBMEM24", "92340621MA2UK3PJXE",
]


class TestUscc:
    @pytest.mark.parametrize("code", STDNUM_VALID_USCC)
    def test_stdnum_public_vectors_are_accepted(self, code: str) -> None:
        assert check_uscc(code) == (code, None)

    def test_check_character_zero_is_accepted(self) -> None:
        # Σ mod 31 == 0 gives check character '0', not '31': the classic off-by-one trap.
        assert check_uscc("911522010783762860") == ("911522010783762860", None)

    def test_full_width_lower_case_and_spaces_are_normalised(self) -> None:
        value, problem = check_uscc(" ９１１５２２０１０７８３７-６２８６０ ")
        assert problem is None and value == "911522010783762860"
        assert check_uscc("91310115ma1k3btp2b") == ("91310115MA1K3BTP2B", None)

    def test_wrong_check_character_is_rejected_not_fixed(self) -> None:
        value, problem = check_uscc("911522010783762861")
        assert value == "911522010783762861"
        assert problem is not None and problem.code == "identifier.checksum"
        assert "校验位" in problem.message

    @pytest.mark.parametrize(
        ("code", "check"),
        [("12345", "identifier.length"), ("A1110000600037341L", "identifier.format"),
         ("9111000060003IOZSV", "identifier.format"), ("91110000600037341N", "identifier.checksum")],
    )
    def test_stdnum_invalid_vectors_name_the_failed_check(self, code: str, check: str) -> None:
        _, problem = check_uscc(code)
        assert problem is not None and problem.code == check

    def test_validate_raises_with_field_and_code(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            validate_identifier(IdType.USCC, "91110000600037341N", "cf_xdr_shxym")
        assert caught.value.code == "identifier.checksum"
        assert caught.value.field == "cf_xdr_shxym"
        assert caught.value.status == 422


class TestCitizenId:
    @pytest.mark.parametrize("number", ["360426199101010071", "44011320141005001X", "412723199010050012",
                                        "110102199101010078", "120110198012010073", "120110199212010072"])
    def test_stdnum_public_vectors_are_accepted(self, number: str) -> None:
        assert check_citizen_id(number) == (number, None)

    def test_lower_case_x_is_normalised(self) -> None:
        assert check_citizen_id("44011320141005001x") == ("44011320141005001X", None)

    @pytest.mark.parametrize(
        ("number", "check"),
        [
            ("T60426199101010078", "identifier.format"),
            ("360426199113010079", "identifier.birth_date"),
            ("36042619910102009X", "identifier.checksum"),
            ("990426199112010074", "identifier.area_code"),
            ("110111198012010078", "identifier.area_code"),  # county not yet registered in 1980
            ("110201199312010077", "identifier.area_code"),  # county deregistered by 1993
            ("3604261991010100", "identifier.length"),
        ],
    )
    def test_invalid_numbers_name_the_failed_check(self, number: str, check: str) -> None:
        _, problem = check_citizen_id(number)
        assert problem is not None and problem.code == check


class TestOtherIdentifiers:
    def test_organisation_code_inside_a_uscc_has_a_valid_check_character(self) -> None:
        assert check_organisation_code("078376286") == ("078376286", None)
        assert check_organisation_code("07837628-6")[1] is None
        assert check_organisation_code("078376287")[1].code == "identifier.checksum"  # type: ignore[union-attr]

    def test_registration_number_is_fifteen_digits(self) -> None:
        assert check_identifier(IdType.REGISTRATION_NO, "321000000123456")[1] is None
        assert check_identifier(IdType.REGISTRATION_NO, "32100000012345")[1].code == "identifier.format"  # type: ignore[union-attr]

    def test_types_without_a_published_check_are_only_normalised(self) -> None:
        assert check_identifier(IdType.PASSPORT, " e1234５678 ") == ("E12345678", None)

    def test_empty_identifier_is_a_problem(self) -> None:
        assert check_identifier(IdType.USCC, "  ")[1].code == "identifier.empty"  # type: ignore[union-attr]


class TestParsing:
    def test_normalize_strips_separators_and_widths(self) -> None:
        assert normalize("ａｂ－12 3_4") == "AB1234"

    @pytest.mark.parametrize(("label", "expected"), [("身份证", IdType.CITIZEN_ID), ("居民身份证", IdType.CITIZEN_ID),
                                                     ("护照号", IdType.PASSPORT), ("uscc", IdType.USCC),
                                                     ("其他-军官证", IdType.OTHER)])
    def test_certificate_type_labels(self, label: str, expected: IdType) -> None:
        assert parse_id_type(label) is expected

    def test_unknown_certificate_type_is_rejected(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            parse_id_type("驾驶证")
        assert caught.value.code == "identifier.type"

    def test_guess_by_shape(self) -> None:
        assert guess_id_type("911522010783762860") is IdType.USCC
        assert guess_id_type("11010519491231002x") is IdType.CITIZEN_ID
        assert guess_id_type("扬州") is None
