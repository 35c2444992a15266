"""Small-group suppression, with complements where a total would reveal a hidden count."""

from __future__ import annotations

from clerkship.core.suppression import suppress_counts, suppress_table


def test_counts_under_five_are_hidden_and_zero_is_shown():
    assert suppress_counts([0, 4, 5, 1], total_shown=False) == [0, None, 5, None]


def test_a_single_hidden_count_beside_a_total_takes_the_next_smallest_with_it():
    assert suppress_counts([4, 20, 9], total_shown=True) == [None, 20, None]


def test_two_hidden_counts_need_no_complement():
    assert suppress_counts([4, 3, 20], total_shown=True) == [None, None, 20]


def test_zeros_are_never_the_complement():
    assert suppress_counts([4, 0, 12], total_shown=True) == [None, 0, None]


def test_complements_spread_through_rows_and_columns_until_stable():
    # 3 hides 10 (row 0); 3 then hides 8 (column 0) and 10 hides 6 (column 1); 8 hides 9
    # (row 1); 6 hides 7 (row 2); 7 hides 12 (column 2).
    table = [[3, 10, 12], [8, 9, 30], [20, 6, 7]]
    assert suppress_table(table, row_totals=True, column_totals=True) == [
        [None, None, None],
        [None, None, 30],
        [20, None, None],
    ]


def test_rows_without_a_shown_total_take_no_complement():
    assert suppress_table([[3, 10], [8, 9]], row_totals=False) == [[None, 10], [8, 9]]


def test_a_count_of_things_is_never_hidden_as_small_but_can_be_a_complement():
    people = [True, True, False]
    assert suppress_counts([6, 0, 4], total_shown=True, people=people) == [6, 0, 4]
    assert suppress_counts([6, 1, 4], total_shown=True, people=people) == [6, None, None]
