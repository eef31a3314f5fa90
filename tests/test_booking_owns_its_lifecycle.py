"""Issue 22: booking owns its lifecycle and notifications is a leaf, read from the code itself.

* Only booking/status.py changes a booking's status (its transition()), and writes the status
  history; booking/service.py writes the first row when a booking is made. No SQL elsewhere
  sets bookings.status.
* notifications imports no domain: the caller hands it ids and rendered text. It may use the
  ground (kit, db, config, errors, the job queue, i18n's gettext) and, until the platform
  layer (core/) holds them, the system-settings reader and the idempotency_keys model.
* No module of booking, notifications or payments imports our own code inside a function
  (the way to dodge a circle; a heavy library loaded lazily, e.g. stripe, is another matter).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "afrobiz"
SET_STATUS = re.compile(r"UPDATE\s+bookings\s+SET\b[^;]*?\bstatus\s*=", re.IGNORECASE | re.DOTALL)
GROUND = ("afrobiz.notifications", "afrobiz.kit", "afrobiz.db", "afrobiz.config", "afrobiz.errors",
          "afrobiz.worker.app", "afrobiz.i18n")
# Platform pieces that still live in a domain: due to move to afrobiz/core/ (issue 22, item 1).
NOT_YET_IN_CORE = {"afrobiz.admin.settings", "afrobiz.payments.models"}


def _modules(folder: str = ""):
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("afrobiz")}


def test_only_the_status_machine_writes_a_bookings_status():
    writers, history = [], []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SET_STATUS.search(node.value):
                writers.append(name)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "BookingStatusHistory":
                history.append(name)
            if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "status"
                                                     and getattr(t.value, "id", "") == "booking"
                                                     for t in node.targets)):
                writers.append(name)
    assert sorted(set(writers)) == ["booking/status.py"]
    assert sorted(set(history)) == ["booking/service.py", "booking/status.py"]


def test_notifications_imports_no_domain():
    taken = {name: {m for m in _imports(tree) if not m.startswith(GROUND)} for name, tree in _modules("notifications")}
    assert set().union(*taken.values()) <= NOT_YET_IN_CORE, {n: m for n, m in taken.items() if m}


def test_no_import_of_our_own_code_inside_a_function_in_booking_notifications_and_payments():
    local = []
    for folder in ("booking", "notifications", "payments"):
        for name, tree in _modules(folder):
            for fn in ast.walk(tree):
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    local += [f"{name}:{module}" for module in _imports(fn)]
    assert local == []
