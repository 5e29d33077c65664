"""`kb inquiries purge|export`: retention of what the contact form stored."""

from __future__ import annotations

import csv
import datetime as dt
import io

import click
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from web.cli.errors import database_errors
from web.core import db
from web.core.clock import format_local
from web.core.models import Inquiry, InquiryNote

# Columns of the export, in order: every field of an inquiry, then its notes.
EXPORT_COLUMNS = (
    ("receipt_number", "受付番号"),
    ("created_at", "受付日時"),
    ("updated_at", "更新日時"),
    ("status", "状態"),
    ("name", "お名前"),
    ("facility_name", "医療機関・薬局名"),
    ("facility_type", "種別"),
    ("institution_code", "医療機関コード"),
    ("email", "メールアドレス"),
    ("phone", "電話番号"),
    ("category", "お問い合わせの分類"),
    ("message", "内容"),
    ("transcript", "チャットでのやりとり"),
    ("conversation_token", "チャットの会話ID"),
    ("notes", "対応メモ"),
)
# A cell starting with one of these is a formula to Excel: text typed on a public form
# must never run as one, so such cells get a leading apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def register(cli: click.Group) -> None:
    @cli.group("inquiries")
    def inquiries_group() -> None:
        """お問い合わせの保存期間の管理（削除・書き出し）。"""

    @inquiries_group.command("purge")
    @click.option(
        "--older-than",
        "days",
        required=True,
        type=click.IntRange(min=1),
        metavar="DAYS",
        help="受付から DAYS 日より前のお問い合わせを削除する",
    )
    @click.option("--dry-run", is_flag=True, help="削除せず、対象の件数だけを表示する")
    def purge_command(days: int, dry_run: bool) -> None:
        """古いお問い合わせを対応メモごと削除し、件数を表示します（確認はしません）。"""
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        with database_errors():
            count = purge(cutoff, dry_run=dry_run)
        if dry_run:
            click.echo(
                f"{count} 件のお問い合わせが削除の対象です（--dry-run のため削除していません）。"
            )
        else:
            click.echo(f"{count} 件のお問い合わせを削除しました。")

    @inquiries_group.command("export")
    @click.option(
        "--format",
        "output_format",
        type=click.Choice(["csv"]),
        default="csv",
        show_default=True,
        help="出力の形式",
    )
    def export_command(output_format: str) -> None:
        """すべてのお問い合わせを標準出力に書き出します。

        CSV は BOM 付きの UTF-8 です（Excel で開いても日本語が文字化けしません）。
        = + - @ で始まるセルは、Excel が数式として扱わないよう先頭に ' を付けます。
        """
        with database_errors():
            text = export_csv()
        stream = click.get_binary_stream("stdout")
        stream.write(text.encode("utf-8-sig"))
        stream.flush()


def purge(cutoff: dt.datetime, dry_run: bool = False) -> int:
    """Delete inquiries created before `cutoff` with their notes; how many there were."""
    database = db.session()
    old = select(Inquiry.id).where(Inquiry.created_at < cutoff)
    count = database.scalar(select(func.count()).select_from(old.subquery())) or 0
    if dry_run or not count:
        return count
    database.execute(delete(InquiryNote).where(InquiryNote.inquiry_id.in_(old)))
    database.execute(delete(Inquiry).where(Inquiry.created_at < cutoff))
    database.commit()
    return count


def export_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _name, label in EXPORT_COLUMNS])
    inquiries = db.session().scalars(
        select(Inquiry)
        .options(selectinload(Inquiry.notes))
        .order_by(Inquiry.created_at, Inquiry.id)
    )
    for inquiry in inquiries:
        writer.writerow([_cell(_value(inquiry, name)) for name, _label in EXPORT_COLUMNS])
    return out.getvalue()


def _value(inquiry: Inquiry, name: str) -> str:
    if name == "notes":
        return "\n".join(
            f"[{format_local(note.created_at)} {note.author_email}] {note.text}"
            for note in inquiry.notes
        )
    value = getattr(inquiry, name)
    if isinstance(value, dt.datetime):
        return format_local(value, seconds=True)
    return "" if value is None else str(value)


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
