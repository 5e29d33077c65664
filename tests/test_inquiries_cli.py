"""`kb inquiries purge|export`: keeping inquiries no longer than needed, and handing them over."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from web.core import db
from web.core.models import Inquiry, InquiryNote


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_app(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


@pytest.fixture
def kb(run_kb):
    def kb(app, *args):
        return run_kb(
            list(args),
            app.instance_path,
            env={"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]},
        )

    return kb


def receipts(app) -> list[str]:
    with app.app_context():
        return list(
            db.session().scalars(select(Inquiry.receipt_number).order_by(Inquiry.receipt_number))
        )


def add_note(app, inquiry_id: int, text: str) -> None:
    with app.app_context():
        db.session().add(
            InquiryNote(inquiry_id=inquiry_id, author_email="agent@example.jp", text=text)
        )
        db.session().commit()


DAY = 24 * 60


def test_purge_deletes_inquiries_older_than_the_days_given_with_their_notes(
    storage_app, add_inquiry, kb
):
    old = add_inquiry(storage_app, minutes_ago=100 * DAY, receipt_number="HD-20260817-OLD00000")
    add_note(storage_app, old, "古いメモ")
    add_inquiry(storage_app, minutes_ago=89 * DAY, receipt_number="HD-20260828-KEEP0000")
    add_inquiry(storage_app, minutes_ago=5, receipt_number="HD-20261125-NEW00000")

    dry = kb(storage_app, "inquiries", "purge", "--older-than", "90", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 件のお問い合わせが削除の対象です" in dry.stdout
    assert len(receipts(storage_app)) == 3

    result = kb(storage_app, "inquiries", "purge", "--older-than", "90")
    assert result.returncode == 0, result.stderr
    assert "1 件のお問い合わせを削除しました。" in result.stdout
    assert receipts(storage_app) == ["HD-20260828-KEEP0000", "HD-20261125-NEW00000"]
    with storage_app.app_context():
        assert db.session().scalars(select(InquiryNote)).all() == []

    again = kb(storage_app, "inquiries", "purge", "--older-than", "90")
    assert "0 件のお問い合わせを削除しました。" in again.stdout


@pytest.mark.parametrize("days", ["0", "-3", "abc"])
def test_purge_refuses_a_period_that_is_not_a_positive_number_of_days(app, days, add_inquiry, kb):
    add_inquiry(app, minutes_ago=5)
    result = kb(app, "inquiries", "purge", "--older-than", days)
    assert result.returncode == 2
    assert len(receipts(app)) == 1


def test_export_writes_every_inquiry_as_csv_that_excel_opens_safely(
    storage_app, add_inquiry, run_kb
):
    first = add_inquiry(
        storage_app,
        minutes_ago=60,
        receipt_number="HD-20261125-AAAA0001",
        message='1行目\n2行目, カンマと "引用符"',
        transcript="[2026-11-25 10:00] 利用者: 補助金は？",
    )
    add_note(storage_app, first, "折り返し済み")
    add_inquiry(
        storage_app,
        minutes_ago=1,
        receipt_number="HD-20261125-AAAA0002",
        name='=HYPERLINK("http://evil.example")',
        phone="+81-3-1234-5678",
    )
    result = run_kb(
        ["inquiries", "export", "--format", "csv"],
        storage_app.instance_path,
        env={"DATABASE_URL": storage_app.config["SQLALCHEMY_DATABASE_URI"]},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("\ufeff受付番号,受付日時,")
    rows = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert [row["受付番号"] for row in rows] == ["HD-20261125-AAAA0001", "HD-20261125-AAAA0002"]
    assert rows[0]["内容"] == '1行目\n2行目, カンマと "引用符"'
    assert rows[0]["チャットでのやりとり"] == "[2026-11-25 10:00] 利用者: 補助金は？"
    assert rows[0]["対応メモ"].endswith("agent@example.jp] 折り返し済み")
    assert rows[0]["状態"] == "new" and rows[0]["お問い合わせの分類"] == "subsidy"
    assert rows[1]["お名前"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1]["電話番号"] == "'+81-3-1234-5678"


def test_export_of_no_inquiries_is_the_header_alone(app, kb):
    result = kb(app, "inquiries", "export", "--format", "csv")
    assert result.returncode == 0
    assert len(result.stdout.strip().splitlines()) == 1


def test_export_refuses_an_unknown_format(app, kb):
    result = kb(app, "inquiries", "export", "--format", "xlsx")
    assert result.returncode == 2 and "xlsx" in result.stderr


@pytest.mark.parametrize("args", [["purge", "--older-than", "30"], ["export", "--format", "csv"]])
def test_a_database_not_created_yet_is_explained_without_a_traceback(tmp_path, args, run_kb):
    result = run_kb(["inquiries", *args], tmp_path / "empty", env={"DATABASE_URL": ""})
    assert result.returncode == 1
    assert "kb db upgrade" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
