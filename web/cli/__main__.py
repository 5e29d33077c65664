"""`python -m web.cli …` is `kb …` (for environments without the console script)."""

from web.cli import main

main()
