"""Command-line interface: ``python -m mapapp COMMAND …``.

Each module in this package that defines ``register(subparsers)`` adds its commands;
a command's handler takes the parsed ``argparse.Namespace`` and returns an exit status.

Exit status: 0 success; 2 bad input or a :class:`~mapapp.core.errors.MapAppError`, reported as
one line ``error: …`` on stderr; 1 an unexpected failure (one line too; set
``MAPAPP_DEBUG=1`` for the traceback). Never a traceback otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback

from mapapp.core.errors import MapAppError

__all__ = ["main", "build_parser", "CliArgumentError"]


class CliArgumentError(Exception):
    """Raised instead of argparse's print-usage-and-exit, so main() prints one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # noqa: D401 - argparse API
        raise CliArgumentError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every command module registered."""
    parser = _Parser(
        prog="python -m mapapp",
        description="Bering Strait tunnel route explorer (headless).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except CliArgumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MapAppError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: one line, never a traceback
        if os.environ.get("MAPAPP_DEBUG"):
            traceback.print_exc()
        print(f"error: internal error ({type(exc).__name__}: {exc}); please report it", file=sys.stderr)
        return 1
