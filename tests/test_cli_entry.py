"""The ``redactor`` entry point: a Ctrl-C while the commands are still loading (a second or two)
is one ``interrupted`` line and exit code 130, like a Ctrl-C during a command, not a traceback."""

from __future__ import annotations

import importlib.abc
import sys

import pytest

import redactor.cli


class _CtrlCOnImport(importlib.abc.MetaPathFinder):
    """Raises KeyboardInterrupt when ``redactor.cli.main`` is imported, as SIGINT would mid-import."""

    def find_spec(self, name, path=None, target=None):
        if name == "redactor.cli.main":
            raise KeyboardInterrupt
        return None


def test_ctrl_c_while_the_commands_load_is_one_line_and_exit_130(monkeypatch, capsys) -> None:
    monkeypatch.delitem(sys.modules, "redactor.cli.main", raising=False)
    monkeypatch.delattr(redactor.cli, "main", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_CtrlCOnImport(), *sys.meta_path])
    with pytest.raises(SystemExit) as stopped:
        redactor.cli.start()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_the_installed_script_goes_through_the_guarded_entry_point() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "redactor"]
    assert script.value == "redactor.cli:start"
