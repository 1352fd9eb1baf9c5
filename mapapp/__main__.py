"""``python -m mapapp``: the command-line interface (see :mod:`mapapp.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
