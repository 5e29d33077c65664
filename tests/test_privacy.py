"""Personal data in free text: found to warn the person, masked before anything is stored."""

from __future__ import annotations

import unicodedata

import pytest

from kb.privacy import MASK, Finding, find, mask, my_number_is_valid

# The call centre's and the ministry's published numbers, as the app passes them (digits only).
PUBLIC_NUMBERS = frozenset({"08000804583", "0352531111"})


def check_digit(first_eleven: str) -> str:
    """The check digit by the cabinet order's formula, written out independently of kb.privacy:
    Pn is the n-th of the eleven digits counted from the right, Qn is n+1 for n ≤ 6 and n−5 for
    n ≥ 7; a remainder of 0 or 1 gives 0, any other remainder r gives 11 − r."""
    total = sum(int(first_eleven[-n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


# The first eleven digits and the check digit the formula gives (worked by hand for the first).
MY_NUMBERS = [
    ("12345678901", "8"),
    ("98765432109", "3"),
    ("31415926535", "2"),
    ("00000000000", "0"),  # remainder 0
    ("20240101000", "0"),
]


@pytest.mark.parametrize(("first_eleven", "digit"), MY_NUMBERS)
def test_my_number_with_its_check_digit_is_valid(first_eleven, digit):
    assert check_digit(first_eleven) == digit
    assert my_number_is_valid(first_eleven + digit)


@pytest.mark.parametrize(("first_eleven", "digit"), MY_NUMBERS)
def test_my_number_with_any_other_last_digit_is_invalid(first_eleven, digit):
    for other in "0123456789".replace(digit, ""):
        assert not my_number_is_valid(first_eleven + other)


@pytest.mark.parametrize(
    "text", ["12345678901", "1234567890188", "1234567890a8", "", "1234-5678-9018"]
)
def test_only_twelve_digits_can_be_a_my_number(text):
    assert not my_number_is_valid(text)


@pytest.mark.parametrize("text", ["123456789018", "1234 5678 9018", "1234-5678-9018"])
def test_a_valid_my_number_is_found_with_or_without_separators(text):
    assert find(f"番号は{text}です") == [Finding("my_number", 3, 3 + len(text))]


def test_twelve_digits_with_a_wrong_check_digit_are_still_masked_as_a_long_number():
    # Not a My Number, but nine or more digits identify someone whatever they are.
    assert find("123456789012") == [Finding("insurance_number", 0, 12)]


@pytest.mark.parametrize(
    "text", ["0800-080-4583", "03-5253-1111", "08000804583", "０８００－０８０－４５８３"]
)
def test_exempt_published_numbers_are_not_personal_data(text):
    said = f"コールセンター {text} に電話しました"
    assert find(said, PUBLIC_NUMBERS) == []
    assert mask(said, PUBLIC_NUMBERS) == said


@pytest.mark.parametrize(
    "said",
    [
        "コールセンターの電話番号は0800-080-4583（通話無料）です",
        "厚生労働省の電話番号は03-5253-1111です",
        "番号：0800-080-4583",
        "0800-080-4583（電話番号）",
        "電話番号が0800 080 4583",
    ],
)
def test_a_published_number_after_a_label_is_not_personal_data(said):
    assert find(said, PUBLIC_NUMBERS) == []
    assert mask(said, PUBLIC_NUMBERS) == said
    assert find("受給者番号は1234567です", PUBLIC_NUMBERS) != []  # a label still counts


def test_only_the_exempt_numbers_are_spared():
    said = "0800-080-4583 か 090-1234-5678 に"
    assert find(said) == [Finding("phone", 0, 13), Finding("phone", 16, 29)]
    assert find(said, PUBLIC_NUMBERS) == [Finding("phone", 16, 29)]
    assert mask(said, PUBLIC_NUMBERS) == "0800-080-4583 か ＊＊＊-＊＊＊＊-＊＊＊＊ に"


@pytest.mark.parametrize(
    "text", ["090-1234-5678", "09012345678", "03-1234-5678", "0312345678", "090 1234 5678"]
)
def test_a_phone_number_is_found(text):
    assert find(f"折り返しは{text}へ") == [Finding("phone", 5, 5 + len(text))]


def test_a_phone_number_inside_a_longer_digit_run_is_one_finding_for_the_whole_run():
    text = "0901234567812345"
    assert find(text) == [Finding("insurance_number", 0, len(text))]


def test_a_my_number_that_is_also_a_long_digit_run_is_reported_once_as_a_my_number():
    assert find("123456789018") == [Finding("my_number", 0, 12)]


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("受給者番号1234567", "1234567"),
        ("保険者番号: 12345678", "12345678"),
        ("公費負担者番号：123456", "123456"),
        ("番号は 1234567", "1234567"),
    ],
)
def test_a_labelled_number_is_found_without_its_label(text, digits):
    start = text.index(digits)
    assert find(text) == [Finding("insurance_number", start, start + len(digits))]


def test_a_short_digit_run_without_a_label_is_not_personal_data():
    # Seven digits alone are as likely a date, an amount or a postcode.
    assert find("1234567円") == []
    assert find("令和6年12月11日") == []


def test_an_email_address_is_found():
    text = "連絡は taro.yamada+1@example.co.jp まで"
    start = text.index("taro")
    assert find(text) == [Finding("email", start, start + len("taro.yamada+1@example.co.jp"))]


def test_several_findings_come_in_order_without_overlap():
    text = "電話090-1234-5678、メール a@example.jp 、受給者番号1234567"
    findings = find(text)
    assert [f.kind for f in findings] == ["phone", "email", "insurance_number"]
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


def test_masking_keeps_length_and_separators_and_replaces_only_the_findings():
    text = "折り返しは090-1234-5678、メール taro@example.jp へ"
    masked = mask(text)
    assert masked == "折り返しは＊＊＊-＊＊＊＊-＊＊＊＊、メール ＊＊＊＊@＊＊＊＊＊＊＊.＊＊ へ"
    assert len(masked) == len(text)
    for finding in find(text):
        assert all(
            char == MASK or not char.isalnum() for char in masked[finding.start : finding.end]
        )


def test_full_width_digits_are_found_and_masked_in_their_half_width_form():
    text = "電話は０９０－１２３４－５６７８です"
    # Positions refer to the NFKC form, which has the same length for full-width digits.
    assert find(text) == [Finding("phone", 3, 16)]
    assert mask(text) == "電話は＊＊＊-＊＊＊＊-＊＊＊＊です"
    assert len(mask(text)) == len(unicodedata.normalize("NFKC", text))


def test_text_without_personal_data_is_returned_as_written():
    # Not even NFKC-normalized: what the person typed stays as typed.
    assert mask("ＡＢＣ補助金はいつまで？") == "ＡＢＣ補助金はいつまで？"


def test_a_masked_text_has_nothing_left_to_find():
    text = "マイナンバー1234-5678-9018、携帯090-1234-5678、 a.b@example.jp 受給者番号1234567"
    assert find(text)
    assert find(mask(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "マイナンバー 1234-5678-9012 の患者",  # as the card prints it, check digit wrong or not
        "1234 5678 9012",
        "番号は123456789です",
        "保険者番号 123-456-789",
        "マイナンバー 12345678",  # labelled: even eight digits
        "個人番号：1234 5678",
    ],
)
def test_grouped_or_labelled_numbers_are_masked_whatever_their_check_digit(text):
    masked = mask(text)
    assert not any(char.isdigit() for char in masked.split("マイナンバー")[-1].split("番号")[-1])
    assert find(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024-12-11から", "2024.12.11", "2024ー12ー11", "2024・12・11", "令和6年12月11日",
        "R6.12.11", "R6/12/11", "12/11から", "価格 1,234,567円", "123-456 と 789", "内線2829",
    ],
)  # fmt: skip
def test_dates_prices_and_short_groups_are_not_personal_data(text):
    assert find(text) == [] and mask(text) == text


# --- by kind: every separator and phrasing people use, generated ----------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# What people put between the groups of a number (as typed, before NFKC).
SEPARATOR_CHARS = [
    "-", "ー", "ｰ", "−", "－", "‐", "‑", "–", "—", "―", ".", "．", "・", " ", "　", "",
]  # fmt: skip
PHONE_PHRASES = ["{}", "携帯{}", "電話番号は{}です", "TEL:{}", "連絡先 {} まで", "{}に折り返し"]
LABELS = ["受給者番号", "保険者番号", "被保険者番号", "公費負担者番号", "患者番号", "番号"]
BETWEEN = ["", "が", "は", "：", ":", " ", "は ", "の"]


def as_typed(groups: list[str], separator: str) -> str:
    return separator.join(groups)


def digits_left(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())


@settings(max_examples=300, deadline=None)
@given(
    area=st.sampled_from(["03", "06", "011", "0467", "090", "080", "070", "0120"]),
    rest=st.integers(0, 10**8 - 1),
    separator=st.sampled_from(SEPARATOR_CHARS),
    phrase=st.sampled_from(PHONE_PHRASES),
    bracketed=st.booleans(),
)
def test_a_phone_number_is_masked_whatever_separates_its_groups(
    area, rest, separator, phrase, bracketed
):
    length = (11 if area in {"090", "080", "070"} else 10) - len(area)
    body = f"{rest:08d}"[-length:]
    middle, last = body[:-4], body[-4:]
    number = f"{area}({middle}){last}" if bracketed else as_typed([area, middle, last], separator)
    text = phrase.format(number)
    assert digits_left(mask(text)) == "", text


@settings(max_examples=300, deadline=None)
@given(
    first_eleven=st.integers(0, 10**11 - 1).map(lambda n: f"{n:011d}"),
    separator=st.sampled_from(SEPARATOR_CHARS),
    label=st.sampled_from(["", "マイナンバー", "個人番号は", "マイナンバーカードの番号 "]),
)
def test_a_valid_my_number_is_found_whatever_separates_its_groups(first_eleven, separator, label):
    number = first_eleven + check_digit(first_eleven)
    text = f"{label}{as_typed([number[:4], number[4:8], number[8:]], separator)}の方"
    assert [f.kind for f in find(text)] == ["my_number"], text
    assert digits_left(mask(text)) == ""


@settings(max_examples=300, deadline=None)
@given(
    digits=st.integers(10**5, 10**8 - 1).map(str),
    label=st.sampled_from(LABELS),
    between=st.sampled_from(BETWEEN),
    after=st.booleans(),
    separator=st.sampled_from(["", "-", "ー", " "]),
)
def test_a_labelled_number_is_masked_with_the_label_before_or_after(
    digits, label, between, after, separator
):
    number = as_typed([digits[:3], digits[3:]], separator)
    text = f"{number}（{label}）を確認" if after else f"{label}{between}{number}の患者"
    assert digits_left(mask(text)) == "", text


@settings(max_examples=200, deadline=None)
@given(
    published=st.sampled_from([("0800", "080", "4583"), ("03", "5253", "1111")]),
    separator=st.sampled_from(SEPARATOR_CHARS),
)
def test_a_published_number_stays_readable_whatever_separates_its_groups(published, separator):
    text = f"コールセンター {as_typed(list(published), separator)}（通話無料）"
    assert digits_left(mask(text, PUBLIC_NUMBERS)) == "".join(published)
