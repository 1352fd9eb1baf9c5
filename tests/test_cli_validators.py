"""The CLI's one set of number validators (mapapp/cli/_common.py): values, messages, and that
every command uses them (one line ``error: …``, exit status 2)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import mapapp.cli
from mapapp.cli import main
from mapapp.cli._common import POSITIVE_INT, SEED, number, number_pair, whole_number

CLI = Path(mapapp.cli.__file__).parent


@pytest.mark.parametrize("parse, text, value", [
    (POSITIVE_INT, "20000", 20000),
    (POSITIVE_INT, " 1 ", 1),
    (SEED, "0", 0),
    (whole_number(-5), "-5", -5),
    (number(), "12.5", 12.5),
    (number(0.0, above=True), "1e-3", 0.001),
    (number_pair("WIDTH,HEIGHT", "10,8"), "10x8", (10.0, 8.0)),
    (number_pair("WIDTH,HEIGHT", "10,8"), "7.5, 10", (7.5, 10.0)),
    (number_pair("MIN,MAX", "-60,0"), "-60,0", (-60.0, 0.0)),
    (number_pair("P10,P90", "0.005,0.02", positive_increasing=True), "0.5 2", (0.5, 2.0)),
])
def test_values_are_read(parse, text, value):
    assert parse(text) == value


@pytest.mark.parametrize("parse, text, message", [
    (POSITIVE_INT, "many", "expected a whole number, got 'many'"),
    (POSITIVE_INT, "2.5", "expected a whole number, got '2.5'"),
    (POSITIVE_INT, "0", "expected a whole number of at least 1, got 0"),
    (SEED, "-3", "expected a seed of at least 0, got -3"),
    (number(), "steep", "expected a number, got 'steep'"),
    (number(), "nan", "expected a number, got 'nan'"),
    (number(0.0, above=True), "0", "expected a number of more than 0, got 0"),
    (number_pair("WIDTH,HEIGHT", "10,8"), "big",
     "expected two numbers WIDTH,HEIGHT such as 10,8, got 'big'"),
    (number_pair("MIN,MAX", "-60,0"), "-10", "expected two numbers MIN,MAX such as -60,0, got '-10'"),
    (number_pair("P10,P90", "0.005,0.02", positive_increasing=True), "0.02,0.005",
     "expected 0 < P10 ≤ P90, got '0.02,0.005'"),
])
def test_messages_are_one_plain_sentence(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as info:
        parse(text)
    assert str(info.value) == message


@pytest.mark.parametrize("argv, line", [
    (["sweep", "dmitriev-2025", "--samples", "0"],
     "error: python -m mapapp sweep: argument --samples: expected a whole number of at least 1, "
     "got 0"),
    (["ensemble", "--start", "Uelen", "--end", "Wales", "--out", "c.tif", "--runs", "x"],
     "error: python -m mapapp ensemble: argument --runs: expected a whole number, got 'x'"),
    (["ensemble", "--start", "Uelen", "--end", "Wales", "--out", "c.tif", "--seed", "-1"],
     "error: python -m mapapp ensemble: argument --seed: expected a seed of at least 0, got -1"),
    (["link", "dmitriev-2025", "--grade", "steep"],
     "error: python -m mapapp link: argument --grade: expected a number, got 'steep'"),
    (["render", "dmitriev-2025", "--out", "x.png", "--size", "big"],
     "error: python -m mapapp render: argument --size: expected two numbers WIDTH,HEIGHT such "
     "as 10,8, got 'big'"),
    (["render", "dmitriev-2025", "--out", "x.png", "--scorecard", "--uncertainty", "0"],
     "error: python -m mapapp render: argument --uncertainty: expected a whole number of at "
     "least 1, got 0"),
    (["html", "dmitriev-2025", "--out", "x.html", "--range=a,b"],
     "error: python -m mapapp html: argument --range: expected two numbers MIN,MAX such as "
     "-60,0, got 'a,b'"),
])
def test_commands_report_bad_numbers_in_one_line(argv, line, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err == line + "\n"


def test_no_command_defines_its_own_validator():
    """Only _common.py raises argparse.ArgumentTypeError."""
    owners = sorted(p.name for p in CLI.glob("*.py")
                    if "ArgumentTypeError" in p.read_text(encoding="utf-8"))
    assert owners == ["_common.py"]
