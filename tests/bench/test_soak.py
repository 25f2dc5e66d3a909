"""The soak's own judgement (bench/soak.py): which writes count as lost or duplicated, and which errors
fall inside a restart window. Pure functions on made-up calls and rows; the soak itself is not run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("bench_soak", ROOT / "bench" / "soak.py")
assert _spec and _spec.loader
soak = importlib.util.module_from_spec(_spec)
sys.modules["bench_soak"] = soak  # dataclasses look their module up while the file runs
_spec.loader.exec_module(soak)


def test_every_acknowledged_write_present_once_passes() -> None:
    check = soak.verify_writes(
        {"soak-r0-0": "id-a", "soak-r0-1": "id-b"},
        {"soak-r0-0", "soak-r0-1", "soak-r0-2"},
        [("soak-r0-0", "id-a"), ("soak-r0-1", "id-b")],
    )
    assert check.ok
    assert (check.acknowledged, check.present_once, check.unacknowledged_present) == (2, 2, 0)
    assert (check.lost, check.duplicated, check.wrong_id, check.unknown) == ([], [], [], [])


def test_an_acknowledged_write_missing_from_the_database_is_lost() -> None:
    check = soak.verify_writes(
        {"soak-c1-0": None, "soak-c1-1": None}, {"soak-c1-0", "soak-c1-1"}, [("soak-c1-1", "v1")]
    )
    assert not check.ok
    assert check.lost == ["soak-c1-0"]
    assert check.present_once == 1


def test_a_write_stored_twice_is_a_duplicate_acknowledged_or_not() -> None:
    check = soak.verify_writes(
        {"soak-r0-0": "id-a"},
        {"soak-r0-0", "soak-r0-1"},
        [("soak-r0-0", "id-a"), ("soak-r0-0", "id-x"), ("soak-r0-1", "id-b"), ("soak-r0-1", "id-c")],
    )
    assert not check.ok
    assert sorted(check.duplicated) == ["soak-r0-0", "soak-r0-1"]
    assert check.present_once == 0


def test_an_unacknowledged_write_that_was_stored_is_allowed_and_counted() -> None:
    check = soak.verify_writes({}, {"soak-r0-0"}, [("soak-r0-0", "id-a")])
    assert check.ok
    assert check.unacknowledged_present == 1


def test_a_write_stored_under_another_id_than_answered_fails() -> None:
    check = soak.verify_writes({"soak-r0-0": "id-a"}, {"soak-r0-0"}, [("soak-r0-0", "id-b")])
    assert not check.ok
    assert check.wrong_id == ["soak-r0-0"]


def test_a_stored_marker_this_run_never_sent_fails() -> None:
    check = soak.verify_writes({}, set(), [("soak-r9-9", "id-a")])
    assert not check.ok
    assert check.unknown == ["soak-r9-9"]


def _call(kind: str, start: float, end: float, ok: bool) -> object:
    return soak.Call(kind, start, end, ok, "" if ok else "500")


def test_window_lasts_until_every_kind_answered_a_request_sent_after_the_fault() -> None:
    fault = soak.Fault("restart", start=100.0, end=105.0)
    calls = [
        _call("search", 104.0, 106.0, True),  # sent before the fault was over: does not count
        _call("search", 105.5, 106.5, True),
        _call("report", 106.0, 110.0, True),
    ]
    [window] = soak.restart_windows([fault], calls, ["search", "report"], margin=2.0)
    assert (window.start, window.end, window.recovered) == (100.0, 112.0, True)


def test_a_kind_that_never_answers_again_leaves_the_fault_unrecovered() -> None:
    fault = soak.Fault("kill", start=10.0, end=10.0)
    calls = [_call("search", 11.0, 12.0, True), _call("report", 11.0, 12.0, False)]
    [window] = soak.restart_windows([fault], calls, ["search", "report"], margin=2.0, limit=60.0)
    assert (window.end, window.recovered) == (70.0, False)


def test_errors_overlapping_a_window_are_inside_the_others_outside() -> None:
    window = soak.Window("restart", 100.0, 112.0, True)
    before = _call("checkin", 95.0, 101.0, False)  # in flight when the fault came
    during = _call("search", 105.0, 105.1, False)
    late = _call("referral", 112.5, 113.0, False)
    fine = _call("search", 50.0, 51.0, True)
    inside, outside = soak.split_errors([before, during, late, fine], [window])
    assert inside == [before, during]
    assert outside == [late]


def test_error_class_names_the_status_or_the_exception() -> None:
    assert soak.error_class("500 b'<!doctype html>'") == "500"
    assert soak.error_class("RemoteDisconnected: Remote end closed connection without response") == (
        "RemoteDisconnected"
    )
