"""``python -m airshield``: the ``airshield`` command."""

from airshield.cli import main

main()
