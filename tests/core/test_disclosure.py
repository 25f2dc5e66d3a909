"""Small-count disclosure control: primary and secondary suppression, totals, medians and shares."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyte.core import disclosure
from hyte.core.disclosure import (
    Cell,
    ProtectedTable,
    protect_count,
    protect_counts,
    protect_table,
    safe_mean,
    safe_median,
    safe_share,
)


def shown(table: ProtectedTable[Any, Any]) -> list[list[str]]:
    """The table as a reader sees it, totals last."""
    out = [[c.display for c in line.cells] + [line.total.display] for line in table.lines]
    return [*out, [c.display for c in table.column_total_cells] + [table.total.display]]


def test_threshold_comes_from_settings(settings: Any) -> None:
    assert disclosure.MIN_CELL == 5  # the default
    settings.HYTE_MIN_CELL = 3
    assert disclosure.MIN_CELL == 3
    assert protect_count(3).display == "3" and protect_count(2).display == "<3"
    del settings.HYTE_MIN_CELL
    assert disclosure.min_cell() == 5


def test_small_counts_are_hidden_zero_is_shown() -> None:
    assert [protect_count(n).display for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]
    hidden = protect_count(3)
    assert hidden.value is None and hidden.hidden and hidden.as_json() == "<5"
    assert protect_count(7).as_json() == 7


def test_a_single_hidden_cell_is_not_recoverable_from_the_row_total() -> None:
    # Row a: 2 + 8 + 10 = 20. Hiding only the 2 would give it away (20 - 8 - 10).
    table = protect_table({"a": {"x": 2, "y": 8, "z": 10}, "b": {"x": 20, "y": 30, "z": 40}})
    assert table.cell("a", "x").display == "<5"
    assert table.cell("a", "y").hidden  # the next smallest of the row, hidden too
    assert table.cell("a", "y").display == "x"  # not "<5": it is 8
    # Column x then had one hidden cell: its other cell goes too, and so on until stable.
    assert shown(table) == [
        ["<5", "x", "10", "20"],
        ["x", "x", "40", "90"],
        ["22", "38", "50", "110"],
    ]


def test_the_smallest_nonzero_cell_is_the_secondary_one() -> None:
    table = protect_table({"a": {"x": 3, "y": 0, "z": 9, "w": 6}}, threshold=5)
    assert [c.display for c in table.lines[0].cells] == ["<5", "0", "9", "x"]
    assert table.row_totals["a"].display == "18"


def test_zero_cells_stay_zero_and_a_zero_row_hides_nothing() -> None:
    table = protect_table({"a": {"x": 0, "y": 0}, "b": {"x": 6, "y": 7}})
    assert shown(table) == [["0", "0", "0"], ["6", "7", "13"], ["6", "7", "13"]]


def test_totals_are_real_and_hidden_when_small() -> None:
    table = protect_table({"a": {"x": 1, "y": 2}, "b": {"x": 10, "y": 20}})
    assert table.row_totals["a"].display == "<5"  # 3
    assert table.total.value == 33  # computed from the real values
    # 1 + 2 hidden and their total hidden: b's row and the columns must not give them away either.
    assert table.cell("b", "x").hidden and table.cell("b", "y").hidden
    assert table.row_totals["b"].hidden  # 30 would leave 33 - 30 = 3 for row a


def test_a_hidden_line_total_is_not_recoverable_from_the_margins() -> None:
    # Row a's total (3) is hidden; with the grand total and row b's total shown it would be 33 - 30.
    table = protect_table({"a": {"x": 3}, "b": {"x": 30}})
    assert table.row_totals["a"].display == "<5" and table.row_totals["b"].hidden


def test_a_small_count_plus_its_complement_is_not_pinned_by_the_bounds() -> None:
    # 1 + 5 + 10 = 16: hiding 1 and 5 leaves "<5 + x = 6", and x is at least 5, so "<5" is 1.
    table = protect_table({"a": {"x": 1, "y": 5, "z": 10}})
    assert [c.display for c in table.lines[0].cells] == ["<5", "x", "x"]


def test_order_and_empty_rows_and_columns() -> None:
    table = protect_table({"b": {"y": 6}}, rows=["a", "b"], columns=["x", "y"])
    assert table.rows == ("a", "b") and table.columns == ("x", "y")
    assert shown(table) == [["0", "0", "0"], ["0", "6", "6"], ["0", "6", "6"]]


def test_one_dimensional_counts() -> None:
    counts = protect_counts({"wellbeing": 3, "exercise": 20}, keys=["wellbeing", "exercise", "other"])
    assert [(k, c.display) for k, c in counts.items()] == [
        ("wellbeing", "<5"),
        ("exercise", "x"),
        ("other", "0"),
    ]
    assert counts.total.display == "23"
    assert protect_counts({"a": 5, "b": 0}).total.display == "5"


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        protect_table({"a": {"x": -1}})
    with pytest.raises(ValueError):
        protect_count(1.5)  # type: ignore[arg-type]


def test_medians_and_means_need_min_cell_values() -> None:
    assert safe_median([1, 2, 3, 4]) is None and safe_mean([1, 2, 3, 4]) is None
    assert safe_median([1, 2, 3, 4, 10]) == 3.0 and safe_mean([1, 2, 3, 4, 10]) == 4.0
    assert safe_median([]) is None
    assert safe_median([1, 2, 3], threshold=3) == 2.0


def test_shares_hide_small_parts_and_rests() -> None:
    assert safe_share(5, 10) == 0.5
    assert safe_share(10, 10) == 1.0 and safe_share(0, 10) == 0.0
    assert safe_share(4, 10) is None  # the part is small
    assert safe_share(6, 10) is None  # the rest (4) is small
    assert safe_share(3, 3) is None and safe_share(0, 0) is None


def test_a_hidden_cell_never_carries_its_value() -> None:
    table = protect_table({"a": {"x": 2, "y": 9}})
    assert table.cell("a", "x") == Cell(None, "small", 5)
    assert table.cell("a", "y") == Cell(None, "secondary", 5)


# --- the promise itself, on random tables: no hidden value is pinned by one row or column ---


def _completions(parts: list[range], total: range, cap: int) -> list[set[int]]:
    """Every value each member (the parts, then the total) takes in some completion of the line."""
    seen: list[set[int]] = [set() for _ in range(len(parts) + 1)]

    def walk(i: int, chosen: list[int]) -> None:
        if sum(chosen) > cap:
            return
        if i == len(parts):
            if sum(chosen) in total:
                for j, value in enumerate([*chosen, sum(chosen)]):
                    seen[j].add(value)
            return
        for value in parts[i]:
            walk(i + 1, [*chosen, value])

    walk(0, [])
    return seen


def _pinned_by_a_line(table: ProtectedTable[Any, Any], grand_total: int) -> bool:
    """Brute force: in each line (parts add up to a total), is some hidden member the same in every
    completion that fits what a reader sees? "<5" is 1..4, "x" is 5 or more, shown values are exact;
    the real grand total only caps the search when the reader does not see it."""
    m = table.threshold
    if table.total.value is not None:  # the most any member can be, as far as the reader knows
        cap = table.total.value
    elif table.total.suppression == "small":
        cap = m - 1
    else:  # unbounded for the reader; a generous cap keeps the search finite
        cap = 2 * grand_total + m

    def options(cell: Cell) -> range:
        if cell.suppression == "small":
            return range(1, m)
        if cell.suppression == "secondary":
            return range(m, cap + 1)
        assert cell.value is not None
        return range(cell.value, cell.value + 1)

    lines = [([*line.cells], line.total) for line in table.lines]
    lines.append(([*table.column_total_cells], table.total))
    for c in table.columns:
        lines.append(([table.cell(r, c) for r in table.rows], table.column_totals[c]))
    lines.append(([table.row_totals[r] for r in table.rows], table.total))
    for parts, total in lines:
        members = [*parts, total]
        if not any(x.hidden for x in members):
            continue
        seen = _completions([options(x) for x in parts], options(total), cap)
        if any(member.hidden and len(seen[j]) == 1 for j, member in enumerate(members)):
            return True
    return False


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8, 12]), min_size=3, max_size=3),
        min_size=1,
        max_size=3,
    )
)
def test_no_line_pins_a_hidden_value(grid: list[list[int]]) -> None:
    real = {r: dict(enumerate(row)) for r, row in enumerate(grid)}
    table = protect_table(real)
    assert not _pinned_by_a_line(table, sum(map(sum, grid)))
    for r, row in real.items():
        for c, value in row.items():
            cell = table.cell(r, c)
            assert cell.value in (None, value)
            assert (0 < value < 5) <= (cell.suppression == "small")
