"""`python -m fazhi` runs the command line."""

from .cli import run

run()
