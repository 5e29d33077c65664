"""The `kb` command: Flask's own commands (run, routes, shell) and the project's, in one group.

Commands are thin: they parse options and call into `kb/`, `chatbot/` or `web/` code.
"""

from __future__ import annotations

from flask.cli import FlaskGroup

from web import create_app
from web.cli.errors import CommandError
from web.settings import SettingsError


def _create_cli_app():
    # Commands decide themselves whether to rebuild; only a serving app refreshes at start.
    try:
        return create_app({"refresh_index_on_start": False})
    except SettingsError as error:
        raise CommandError(str(error)) from None


cli = FlaskGroup(
    create_app=_create_cli_app, help="医療扶助のオンライン資格確認 ヘルプデスクの管理コマンド"
)


def main() -> None:
    cli(prog_name="kb")


def _register_commands() -> None:
    """Every command, each defined next to the code it drives."""
    from web.accounts import cli as accounts_cli
    from web.chat import cli as chat_cli
    from web.cli import content, db, mail, settings
    from web.console import cli as console_cli

    for module in (content, settings, db, mail, chat_cli, accounts_cli, console_cli):
        module.register(cli)


_register_commands()
