"""Loading YAML: values keep their source lines, and what YAML allows but a case file must not is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from alletter.errors import CaseFileError
from alletter.project.load import load_yaml


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_value_knows_its_line(tmp_path: Path) -> None:
    loaded = load_yaml(write(tmp_path, "reference: AL OTH 1/2023\nfollow_up:\n  reply:\n    date: 2021-05-28\n"))
    assert loaded.locate(("follow_up", "reply", "date")).line == 4
    assert loaded.locate(("follow_up", "reply", "missing")).line == 3  # a missing field: its parent key


def test_dates_stay_text_for_the_schema_to_check(tmp_path: Path) -> None:
    assert load_yaml(write(tmp_path, "date: 2023-02-30\n")).data == {"date": "2023-02-30"}


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError) as raised:
        load_yaml(write(tmp_path, "date: 2023-03-13\nreference: x\ndate: 2023-03-14\n"))
    assert str(raised.value) == f"{tmp_path / 'case.yaml'}:3:1: date: duplicate key `date` (first given at line 1)"


def test_syntax_error_points_at_the_line(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match=r"case.yaml:2:\d+: YAML syntax error"):
        load_yaml(write(tmp_path, "reference: AL OTH 1/2023\nquestions: [unclosed\n"))


def test_python_tags_are_refused_not_executed(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="tag:yaml.org,2002:python/object/apply:os.system is not allowed"):
        load_yaml(write(tmp_path, "x: !!python/object/apply:os.system ['echo pwned']\n"))
    with pytest.raises(CaseFileError, match="tag:yaml.org,2002:python/name:os.system is not allowed"):
        load_yaml(write(tmp_path, "x: !!python/name:os.system\n"))


def test_alias_bomb_fails_fast(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    with pytest.raises(CaseFileError, match="too many values"):
        load_yaml(write(tmp_path, "\n".join(lines) + "\n"))


def test_deep_nesting_is_refused_before_python_recursion_fails(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match=r"case.yaml:1:\d+: values nested more than 50 levels deep"):
        load_yaml(write(tmp_path, "x: " + "[" * 600 + "]" * 600 + "\n"))


def test_a_number_too_long_to_read_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="case.yaml:1:4: cannot read this value as a number; quote it if it is text"):
        load_yaml(write(tmp_path, "x: " + "1" * 5000 + "\n"))


def test_a_list_used_as_a_key_is_refused_without_building_it(tmp_path: Path) -> None:
    # a key is never constructed (nor printed) unless it is a plain scalar: an aliased list could be huge
    with pytest.raises(CaseFileError, match=r"case.yaml:\d+:\d+: a key must be a name such as `date`, not a list or mapping"):
        load_yaml(write(tmp_path, "a0: &a0 [x, x, x]\n? *a0\n: x\n"))


def test_merge_keys_still_work(tmp_path: Path) -> None:
    assert load_yaml(write(tmp_path, "a: &a {b: 1}\nc:\n  <<: *a\n  d: 2\n")).data == {"a": {"b": 1}, "c": {"b": 1, "d": 2}}
