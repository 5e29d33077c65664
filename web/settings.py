"""Every setting of the helpdesk, declared once: type, default, environment variable, meaning.

In the spirit of MkDocs' `config_options`: each field of `Settings` carries its declaration
(`setting(...)`), `load` reads the environment and checks every value, and a wrong value stops
the start with a message that names the variable and says what it expects, in Japanese. The
README's settings table is checked against these declarations (tests/test_settings.py).

`create_app` builds one `Settings` and passes it down: Flask reads its part through
`flask_config`, views through `current_settings()`, the chat engine and the privacy masking
through `call_centre` and `public_numbers`. Nothing else reads the environment.

Operational facts live here too (the call centre's number and hours, the time zone): they are
written once, and every page, the chat and the privacy exemptions read them from here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatbot.hours import CallCentre
from chatbot.rules import RULES_PATH
from kb import ARTICLES_DIR
from kb.analysis import SYNONYMS_PATH
from kb.sources import SOURCES_DIR

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """One or more settings cannot be used; the message lists each, in Japanese."""


# --- parsers: text from the environment → a checked value, or ValueError in Japanese --------


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("空にはできません")
    return value.strip()


def _path(value: str) -> Path:
    return Path(_text(value)).expanduser().resolve()


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("1 か 0（true か false）を指定してください")


def _integer(minimum: int, maximum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise ValueError("整数を指定してください") from None
        if not minimum <= number <= maximum:
            raise ValueError(f"{minimum}〜{maximum} の範囲で指定してください")
        return number

    return parse


def _rate_limit(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError("回数の制限として読めません（例: 60 per minute;1000 per day）") from None
    return value.strip()


def _timezone(value: str) -> dt.tzinfo:
    try:
        return ZoneInfo(_text(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("タイムゾーンの名前を指定してください（例: Asia/Tokyo）") from None


_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def _opening_hours(value: str) -> tuple[dt.time, dt.time] | None:
    """「08:00-18:00」 → (8:00, 18:00); 「closed」 → None (closed all day)."""
    if value.strip().lower() == "closed":
        return None
    match = _HOURS.match(value.strip())
    if not match:
        raise ValueError("「08:00-18:00」の形か closed で指定してください")
    try:
        opens = dt.time(int(match[1]), int(match[2]))
        closes = dt.time(int(match[3]), int(match[4]))
    except ValueError:
        raise ValueError("時刻が正しくありません（例: 08:00-18:00）") from None
    if opens >= closes:
        raise ValueError("終わりの時刻は始まりより後にしてください")
    return opens, closes


_PHONE = re.compile(r"^0\d{1,4}-\d{1,4}-\d{3,4}$")


def _phone(value: str) -> str:
    if not _PHONE.match(value.strip()):
        raise ValueError("市外局番からハイフン区切りで指定してください（例: 0800-080-4583）")
    return value.strip()


def _smtp_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme not in {"smtp", "smtps", "smtp+starttls"} or not parts.hostname:
        raise ValueError(
            "smtp://host:port、smtp+starttls://user:pass@host:587、smtps://user:pass@host:465"
            " のように指定してください"
        )
    return value.strip()


def _address(value: str) -> str:
    from email.headerregistry import Address
    from email.utils import parseaddr

    name, address = parseaddr(value.strip())
    if "@" not in address:
        raise ValueError("メールアドレスを指定してください（例: 'ヘルプデスク <help@example.jp>'）")
    return str(Address(display_name=name, addr_spec=address)) if name else address


def _hosts(value: str) -> tuple[str, ...]:
    hosts = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    for host in hosts:
        if not re.fullmatch(r"\.?[a-z0-9.-]+(:\d+)?", host):
            raise ValueError(f"{host!r} はホスト名ではありません（例: helpdesk.example.jp）")
    return hosts


def _phones(value: str) -> tuple[str, ...]:
    return tuple(_phone(part) for part in value.split(",") if part.strip())


# --- the declarations ------------------------------------------------------------------------


def setting(
    default: Any,
    env: str | None,
    parse: Callable[[str], Any],
    help: str,
    show_default: str | None = None,
) -> Any:
    """One setting's declaration, kept in the dataclass field's metadata.

    `env` None: set only by code (tests, commands), never from the environment.
    `show_default`: how the README shows a default that is computed (「instance の SQLite」).
    """
    metadata = {"env": env, "parse": parse, "help": help, "show_default": show_default}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True, slots=True)
class Settings:
    # Where things are.
    instance: Path = setting(
        PROJECT_ROOT / "instance",
        "HELPDESK_INSTANCE",
        _path,
        "データベース・索引・秘密鍵・送信メールを置くフォルダ",
        show_default="./instance",
    )
    articles_dir: Path = setting(
        ARTICLES_DIR,
        "HELPDESK_ARTICLES_DIR",
        _path,
        "記事のフォルダ（編集中の作業ツリーを確かめるとき）",
        show_default="kb/articles",
    )
    synonyms_file: Path = setting(
        SYNONYMS_PATH,
        "HELPDESK_SYNONYMS",
        _path,
        "検索の同義語のファイル",
        show_default="kb/synonyms.txt",
    )
    chat_rules_file: Path = setting(
        RULES_PATH,
        "HELPDESK_CHAT_RULES",
        _path,
        "チャットのルールのファイル",
        show_default="chatbot/rules.yaml",
    )
    sources_dir: Path = setting(
        SOURCES_DIR,
        "HELPDESK_SOURCES_DIR",
        _path,
        "出典（通知などの全文）のフォルダ",
        show_default="kb/sources",
    )
    review_interval_days: int = setting(
        730,
        "HELPDESK_REVIEW_INTERVAL_DAYS",
        _integer(1, 3650),
        "記事の確認日（reviewed）から次の確認期限（review_by）までの最長の日数",
    )
    four_eyes: bool = setting(
        True,
        "HELPDESK_FOUR_EYES",
        _flag,
        "管理画面での記事の変更は、書いた人とは別の編集者が承認して公開する（0 で自分で承認できる。少人数のチーム向け）",
        show_default="1",
    )
    review_warning_days: int = setting(
        30,
        "HELPDESK_REVIEW_WARNING_DAYS",
        _integer(0, 365),
        "確認期限の何日前から確認待ちの一覧に載せるか",
    )
    retention_days: int = setting(
        365,
        "HELPDESK_RETENTION_DAYS",
        _integer(1, 3650),
        "検索の記録・チャットの会話・記事の評価を残す日数（kb purge の既定。お問い合わせは消さない）",
    )
    index_dir: Path | None = setting(
        None, "HELPDESK_INDEX_DIR", _path, "検索索引のフォルダ", show_default="instance/index"
    )
    database_url: str | None = setting(
        None,
        "DATABASE_URL",
        _text,
        "PostgreSQL を使うとき `postgresql+psycopg://user:pass@host/db`",
        show_default="instance の SQLite",
    )
    # Security.
    secret_key: str | None = setting(
        None,
        "HELPDESK_SECRET_KEY",
        _text,
        "セッションの秘密鍵。複数台で同じ鍵を使うとき",
        show_default="instance/secret_key",
    )
    insecure_cookies: bool = setting(
        False,
        "HELPDESK_INSECURE_COOKIES",
        _flag,
        "`1` で Cookie の Secure 属性を外す（HTTPS のない社内の検証環境だけ）",
        show_default="未設定",
    )
    console_session_hours: int = setting(
        12,
        "HELPDESK_CONSOLE_SESSION_HOURS",
        _integer(1, 24 * 30),
        "管理画面のログインが続く時間（時間）",
    )
    # Behind a proxy.
    proxy_hops: int = setting(
        0,
        "HELPDESK_PROXY_HOPS",
        _integer(0, 5),
        "前に置いたプロキシの段数（nginx の後ろなら 1）。この段数の X-Forwarded-For・Proto・Host・Port "
        "だけを信じる。プロキシなしで 1 以上にすると、だれでも接続元を偽れます",
    )
    trusted_hosts: tuple[str, ...] = setting(
        (),
        "HELPDESK_TRUSTED_HOSTS",
        _hosts,
        "答えるホスト名（カンマ区切り、`.example.jp` でその下すべて）。ほかの Host は 400。"
        "空なら制限なし",
        show_default="（制限なし）",
    )
    # Limits per client (Flask-Limiter's notation).
    ratelimit_storage_uri: str = setting(
        "memory://",
        "RATELIMIT_STORAGE_URI",
        _text,
        "送信回数の制限の記録先。複数台では `redis://…`",
    )
    contact_rate_limit: str = setting(
        "5 per minute;30 per day",
        "HELPDESK_CONTACT_RATE_LIMIT",
        _rate_limit,
        "お問い合わせフォームの送信回数の上限（1つの接続元あたり）",
    )
    chat_rate_limit: str = setting(
        "60 per minute", "HELPDESK_CHAT_RATE_LIMIT", _rate_limit, "チャットの発言回数の上限"
    )
    search_rate_limit: str = setting(
        "120 per minute",
        "HELPDESK_SEARCH_RATE_LIMIT",
        _rate_limit,
        "検索（画面と /api/）と記事 API の回数の上限（1つの接続元あたり）",
    )
    login_rate_limit: str = setting(
        "10 per minute",
        "HELPDESK_LOGIN_RATE_LIMIT",
        _rate_limit,
        "管理画面のログインを試せる回数の上限",
    )
    login_account_rate_limit: str = setting(
        "10 per 10 minutes",
        "HELPDESK_LOGIN_ACCOUNT_RATE_LIMIT",
        _rate_limit,
        "1つのアカウント（メールアドレス）にログインを試せる回数の上限（接続元を問わず数える）",
    )
    feedback_rate_limit: str = setting(
        "20 per minute",
        "HELPDESK_FEEDBACK_RATE_LIMIT",
        _rate_limit,
        "記事の「役に立ちましたか」の送信回数の上限",
    )
    reply_target_hours: int = setting(
        8,
        "HELPDESK_REPLY_TARGET_HOURS",
        _integer(1, 24 * 20),
        "お問い合わせに最初の回答をするまでの目標（コールセンターの受付時間で数えた時間。"
        "夜・日曜・祝日は数えない）",
    )
    # Mail (web.core.mail, web.core.outbox).
    smtp_url: str | None = setting(
        None,
        "HELPDESK_SMTP_URL",
        _smtp_url,
        "メールを送る SMTP サーバー（`smtp://host:25`、`smtp+starttls://user:pass@host:587`、"
        "`smtps://user:pass@host:465`）。未設定ならメールは instance の `outbox/` に .eml で書かれ、"
        "管理画面に一覧されます",
        show_default="（未設定: outbox フォルダ）",
    )
    mail_from: str = setting(
        "医療扶助オンライン資格確認ヘルプデスク <noreply@helpdesk.invalid>",
        "HELPDESK_MAIL_FROM",
        _address,
        "送るメールの差出人",
    )
    mail_reply_to: str | None = setting(
        None,
        "HELPDESK_MAIL_REPLY_TO",
        _address,
        "回答メールの返信先（未設定なら差出人）",
        show_default="（差出人）",
    )
    agent_notify: str | None = setting(
        None,
        "HELPDESK_AGENT_NOTIFY",
        _address,
        "新しいお問い合わせを知らせる宛先（オペレーターの共有アドレス）。未設定なら知らせない",
        show_default="（未設定）",
    )
    mail_in_background: bool = setting(
        True,
        "HELPDESK_MAIL_IN_BACKGROUND",
        _flag,
        "アプリの中の送信係が数秒ごとに送る（0 なら `kb mail send` で送る）",
        show_default="1",
    )
    # Performance.
    search_cache_size: int = setting(
        1024,
        "HELPDESK_SEARCH_CACHE_SIZE",
        _integer(0, 1_000_000),
        "ワーカーごとに覚えておく検索結果の数（0 で覚えない）",
    )
    popular_cache_seconds: int = setting(
        60,
        "HELPDESK_POPULAR_CACHE_SECONDS",
        _integer(0, 86_400),
        "「よく見られている記事」を数え直す間隔（秒）",
    )
    log_writes_in_background: bool = setting(
        True,
        "HELPDESK_LOG_WRITES_IN_BACKGROUND",
        _flag,
        "検索ログ・閲覧数を別スレッドでまとめて書く（0 で1件ずつその場で書く）",
        show_default="1",
    )
    refresh_index_on_start: bool = setting(
        True, None, _flag, "起動時に、記事などが変わっていれば索引を作り直す"
    )
    # Operational facts shown to people and used by the chat.
    timezone: dt.tzinfo = setting(
        ZoneInfo("Asia/Tokyo"),
        "HELPDESK_TIMEZONE",
        _timezone,
        "日時の表示と受付時間の判定に使うタイムゾーン",
        show_default="Asia/Tokyo",
    )
    call_centre_phone: str = setting(
        "0800-080-4583",
        "HELPDESK_CALL_CENTRE_PHONE",
        _phone,
        "コールセンターの電話番号（通話無料）",
    )
    call_centre_weekdays: tuple[dt.time, dt.time] | None = setting(
        (dt.time(8), dt.time(18)),
        "HELPDESK_CALL_CENTRE_WEEKDAYS",
        _opening_hours,
        "コールセンターの平日の受付時間（祝日を除く）",
        show_default="08:00-18:00",
    )
    call_centre_saturdays: tuple[dt.time, dt.time] | None = setting(
        (dt.time(8), dt.time(16)),
        "HELPDESK_CALL_CENTRE_SATURDAYS",
        _opening_hours,
        "コールセンターの土曜日の受付時間（祝日を除く。`closed` で休み）",
        show_default="08:00-16:00",
    )
    portal_url: str = setting(
        "https://iryohokenjyoho.service-now.com/csm?id=oqs_csm_top",
        "HELPDESK_PORTAL_URL",
        _text,
        "医療機関等向け総合ポータルサイト（最新の状況の確認先として案内する）",
    )
    other_public_phones: tuple[str, ...] = setting(
        ("03-5253-1111",),
        "HELPDESK_PUBLIC_PHONES",
        _phones,
        "記事に載っている公開の電話番号（コールセンター以外。個人情報として伏せない）",
        show_default="03-5253-1111",
    )

    # --- derived values ----------------------------------------------------------------------

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.instance / "index"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.instance / 'helpdesk.sqlite3'}"

    @property
    def call_centre(self) -> CallCentre:
        return CallCentre(
            phone=self.call_centre_phone,
            weekdays=self.call_centre_weekdays,
            saturdays=self.call_centre_saturdays,
            timezone=self.timezone,
        )

    @property
    def public_numbers(self) -> frozenset[str]:
        """Published numbers (digits only) that privacy masking must leave alone."""
        phones = (self.call_centre_phone, *self.other_public_phones)
        return frozenset(re.sub(r"\D", "", phone) for phone in phones)


def declarations() -> list[dataclasses.Field]:
    """Every setting's field, in declaration order (for the README check and `kb settings`)."""
    return list(dataclasses.fields(Settings))


def shown_default(declaration: dataclasses.Field) -> str:
    """A setting's default as the README's table and `kb settings` show it."""
    if declaration.metadata["show_default"] is not None:
        return declaration.metadata["show_default"]
    default = declaration.default
    if isinstance(default, bool):
        return "1" if default else "0"
    if isinstance(default, tuple) and default and isinstance(default[0], dt.time):
        return f"{default[0]:%H:%M}-{default[1]:%H:%M}"
    if isinstance(default, tuple):
        return ",".join(default)
    return str(default)


def markdown_table() -> str:
    """The README's settings table: one row per setting read from the environment."""
    rows = ["| 変数 | 既定値 | 意味 |", "|---|---|---|"]
    for each in declarations():
        if each.metadata["env"]:
            rows.append(
                f"| `{each.metadata['env']}` | `{shown_default(each)}` | {each.metadata['help']} |"
            )
    return "\n".join(rows) + "\n"


def load(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, then `overrides` (already typed values, by field name).

    Raises SettingsError naming every variable whose value cannot be used.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    problems: list[str] = []
    for each in declarations():
        env = each.metadata["env"]
        if env and environ.get(env) not in (None, ""):
            try:
                values[each.name] = each.metadata["parse"](environ[env])
            except ValueError as error:
                problems.append(f"{env}={environ[env]!r}: {error}")
    unknown = set(overrides) - {each.name for each in declarations()}
    if unknown:
        raise SettingsError(f"未知の設定です: {', '.join(sorted(unknown))}")
    if problems:
        raise SettingsError("設定を読めません。\n" + "\n".join(f"- {p}" for p in problems))
    return dataclasses.replace(Settings(), **{**values, **overrides})


def flask_config(settings: Settings) -> dict[str, Any]:
    """The part of the settings that Flask and its extensions read from `app.config`."""
    return {
        "SQLALCHEMY_DATABASE_URI": settings.resolved_database_url,
        "SESSION_COOKIE_SECURE": not settings.insecure_cookies,
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        # Werkzeug answers any other Host with 400 (a Japanese page, web.core.errors).
        "TRUSTED_HOSTS": list(settings.trusted_hosts) or None,
    }


def current_settings() -> Settings:
    """The settings of the app handling this request or command (built by `create_app`)."""
    from flask import current_app

    return current_app.extensions["settings"]
