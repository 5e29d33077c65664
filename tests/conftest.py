"""Shared fixtures, one plugin module per concern (each fixture's docstring says how to call it).

- tests/plugins/knowledge.py  the real index, `knowledge`, `engine`, `article_tree`, `top_ids`
- tests/plugins/webapp.py     `make_app` (factory), `app`, `client`, `runner`, `database_url`,
                              `migrated_sqlite`, `postgres_url`, `pg_app`, `csrf_token_from`,
                              `page_text`
- tests/plugins/console.py    `add_user`, `login`, `logged_in`, `add_inquiry`
- tests/plugins/cli.py        `run_kb`
- tests/plugins/servers.py    `site` (gunicorn as `make run` starts it), `redis_server`,
                              `free_port`
- tests/plugins/browser.py    `live_server`, `browser`, `page`, `screenshot`, `axe_source`,
                              `axe_violations`, `describe_violations`

Plain constants (FIXTURES, VIEWPORTS, SCREENSHOTS, PASSWORD) and `unavailable` are in
tests/support.py. No test module imports from another test module.
"""

pytest_plugins = [
    "tests.plugins.knowledge",
    "tests.plugins.webapp",
    "tests.plugins.console",
    "tests.plugins.cli",
    "tests.plugins.browser",
    "tests.plugins.servers",
]
