"""Nothing identifying reaches a stored table, whichever way a person typed it and wherever
they typed it: the search box, the API, the chat, article feedback, the contact form (which
warns about the numbers first and stores them only when the person confirms they are nobody's)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from sqlalchemy import create_engine, select

from web.core.models import Base

# One of each kind and each separator (kb.privacy.SEPARATORS), in a person's phrasing.
PERSONAL = {
    "090-1234-5678": "携帯 090ー1234ー5678 に折り返し",
    "0312345678": "電話 03(1234)5678 です",
    "0698765432": "06−9876−5432",
    "123456789018": "マイナンバーは1234ー5678ー9018です",  # a valid My Number
    "7654321": "受給者番号が7654321の患者",
    "2345678": "2345678（保険者番号）",
    "876543219": "876.543.219",
}
# The published call-centre number is nobody's: it stays readable where it was stored.
PUBLISHED = "0800-080-4583"


def every_stored_text(database_url: str) -> str:
    """Every value of every row of every table, as one NFKC-normalized string."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            values = [
                str(value)
                for table in Base.metadata.sorted_tables
                for row in connection.execute(select(table))
                for value in row
                if value is not None
            ]
    finally:
        engine.dispose()
    return unicodedata.normalize("NFKC", "\n".join(values))


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.fixture
def typed_everywhere(client, csrf_token_from):
    """Types each personal text into every form and API that stores free text."""

    def typed_everywhere() -> None:
        for text in PERSONAL.values():
            assert client.get("/search", query_string={"q": f"補助金 {text}"}).status_code == 200
            assert client.get("/api/search", query_string={"q": text}).status_code == 200
            reply = client.post("/api/chat", json={"message": f"{text} 補助金の期限は？"})
            assert reply.status_code == 200
            page = client.get("/articles/subsidy-period").get_data(as_text=True)
            response = client.post(
                "/articles/subsidy-period/feedback",
                data={"csrf_token": csrf_token_from(page), "helpful": "no", "comment": text},
            )
            assert response.status_code == 303
        client.post("/api/chat", json={"message": f"コールセンター {PUBLISHED} がつながらない"})
        client.post("/api/chat", json={"message": "担当者と話したい"})
        form = client.get("/contact").get_data(as_text=True)
        token = re.search(r'name="submission_token" value="([^"]*)"', form).group(1)
        response = client.post(
            "/contact",
            data={
                "csrf_token": csrf_token_from(form),
                "submission_token": token,
                "name": "山田 花子",
                "facility_name": "やまだ内科クリニック",
                "facility_type": "clinic",
                "institution_code": "1312345678",
                "email": "uketsuke@yamada-clinic.example.jp",
                "phone": "03-5555-0000",
                "category": "other",
                "message": "\n".join(PERSONAL.values())
                + f"\nコールセンター {PUBLISHED} にも電話しました",
                "consent": "y",
            },
        )
        # The form warns about the numbers and stores nothing until the person confirms they
        # are nobody's (a clinic's own number), or removes them.
        assert response.status_code == 422
        assert "番号が含まれています" in response.get_data(as_text=True)

    return typed_everywhere


def test_no_personal_number_reaches_any_stored_table(typed_everywhere, database_url):
    typed_everywhere()
    stored = every_stored_text(database_url)
    assert "補助金" in stored  # the searches and the chat were stored: the scan reads them
    everything = digits_of(stored)
    for digits in PERSONAL:
        assert digits_of(digits) not in everything, digits


def test_the_published_number_stays_readable_where_it_is_stored(typed_everywhere, database_url):
    typed_everywhere()
    assert PUBLISHED in every_stored_text(database_url)
