"""``python -m airshield.cli``: the ``airshield`` command."""

from airshield.cli import main

main()
