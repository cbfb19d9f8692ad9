"""The managers' dashboard: who sees what, filters, sorting, search, paging and query counts."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from boards.models import Obstacle, Role, Storyboard
from kata.dashboard.columns import COLUMNS
from kata.dashboard.page import PAGE_SIZE
from tests.factories import MembershipFactory, ObstacleFactory, TeamFactory, UserFactory
from tests.kata.practice_data import board, session

NOW = "2026-03-11 10:00:00+00:00"  # a Wednesday
DASHBOARD = "/dashboard/"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def rows(response) -> list[str]:
    """The focus processes in the table, in order."""
    html = response.content.decode()
    return re.findall(r'class="row-link" href="[^"]+">([^<]+)</a>', html)


def get(client, **params):
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200
    return response


# Who sees what --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_outsiders_boards_never_appear(client_for, manager, team, outsider):
    board(team, "Order picking")
    other = outsider.memberships.get().team
    board(other, "Goods receiving")
    assert rows(get(client_for(manager))) == ["Order picking"]
    assert rows(get(client_for(outsider))) == ["Goods receiving"]


@pytest.mark.parametrize("who", ["viewer", "learner", "coach", "manager"])
def test_every_role_sees_its_own_teams_boards(client_for, request, team, who):
    user = request.getfixturevalue(who)
    board(team, "Order picking")
    assert rows(get(client_for(user))) == ["Order picking"]


def test_a_manager_of_two_teams_sees_both_and_no_archived_boards(client_for, manager, team):
    second = TeamFactory(name="Packing")
    MembershipFactory(user=manager, team=second, role=Role.MANAGER)
    board(team, "Order picking")
    board(second, "Carton sizing")
    archived = board(team, "Old process")
    Storyboard.objects.filter(pk=archived.pk).update(is_active=False)
    assert sorted(rows(get(client_for(manager)))) == ["Carton sizing", "Order picking"]


def test_a_team_filter_for_someone_elses_team_is_ignored_and_said_so(
    client_for, manager, team, outsider
):
    board(team, "Order picking")
    board(outsider.memberships.get().team, "Goods receiving")
    response = get(client_for(manager), team="goods-in")
    assert rows(response) == ["Order picking"]
    assert "not one of your teams" in response.content.decode()


# What a row shows -----------------------------------------------------------------------------


def test_a_row_shows_the_state_of_the_practice(client_for, manager, team, learner, coach):
    board(
        team,
        "Order picking",
        learner=learner,
        coach=coach,
        achieve_in=-3,
        values=(41, 38, 33),
        steps_ago=(1, 3, 12, 40),
        working="Pick lists printed out of aisle order",
        parked=2,
    )
    html = get(client_for(manager)).content.decode()
    assert "Lena Park" in html and "coach Carl Moss" in html
    assert "Dispatch" in html
    assert "⚠ overdue by 3 days" in html and 'class="is-overdue"' in html
    assert "33 min" in html and "target ≤ 30 min" in html and "✗ not yet" in html
    assert re.search(r"<strong>2</strong> in 7 days", html)
    assert "3 in 30 days" in html
    assert "Pick lists printed out of aisle order" in html
    assert "2 parked" in html
    assert 'aria-label="Last 3 values of Pick time per order: from 41 min to 33 min' in html


def test_a_row_shows_the_last_coaching_cycle_and_the_next_session(client_for, manager, team):
    board(team, "Coached", cycles_ago=(2, 5), sessions_in=(1, 3))
    board(team, "Gone quiet", cycles_ago=(9,))
    board(team, "Never coached")
    html = get(client_for(manager), sort="focus").content.decode()
    coached, quiet, never = html.split('class="row-link"')[1:]
    assert "Last <time" in coached and ">9 Mar</time>" in coached and "2 days ago" in coached
    assert "next <time" in coached and "Thu 12 Mar, 10:00" in coached
    assert "⚠ 9 days ago" in quiet and "nothing scheduled" in quiet
    assert "⚠ never coached" in never


def test_a_cancelled_session_is_not_the_next_one(client_for, manager, team):
    sb = board(team, "Order picking")
    session(sb, timezone.now() + timedelta(days=1), cancelled=True)
    session(sb, timezone.now() + timedelta(days=4))
    assert "Sun 15 Mar, 10:00" in get(client_for(manager)).content.decode()


def test_a_board_without_a_target_or_measurements_says_so(client_for, manager, team):
    board(team, "No target yet", achieve_in=None)
    board(team, "Nothing measured", achieve_in=5)
    html = get(client_for(manager)).content.decode()
    assert "none active" in html
    assert "no measurements yet" in html
    assert "5 days left" in html


def test_the_sparkline_keeps_the_last_twenty_values(client_for, manager, team):
    board(team, "Order picking", values=tuple(range(100, 130)))
    html = get(client_for(manager)).content.decode()
    assert "Last 20 values of Pick time per order: from 110 min to 129 min" in html


# Filters --------------------------------------------------------------------------------------


@pytest.fixture
def two_teams(team, manager, learner, coach):
    second = TeamFactory(name="Packing", slug="packing")
    MembershipFactory(user=manager, team=second, role=Role.MANAGER)
    other_coach = UserFactory(first_name="Olga", last_name="Kern")
    other_learner = UserFactory(first_name="Paul", last_name="Reed")
    board(
        team,
        "Order picking",
        learner=learner,
        coach=coach,
        achieve_in=-1,
        steps_ago=(2,),
        cycles_ago=(1, 3),
        sessions_in=(1, 2),
    )
    board(
        team,
        "Returns",
        learner=other_learner,
        coach=coach,
        achieve_in=10,
        steps_ago=(9,),
        cycles_ago=(10,),
    )
    board(second, "Carton sizing", learner=other_learner, coach=other_coach, achieve_in=-5)
    board(
        second,
        "Pallet wrapping",
        learner=learner,
        coach=other_coach,
        steps_ago=(0, 1),
        cycles_ago=(0.1,),
        sessions_in=(2,),
    )
    return {"coach": other_coach, "learner": other_learner}


def test_it_filters_by_team(client_for, manager, two_teams):
    assert sorted(rows(get(client_for(manager), team="packing"))) == [
        "Carton sizing",
        "Pallet wrapping",
    ]


def test_it_filters_by_coach(client_for, manager, two_teams, coach):
    assert sorted(rows(get(client_for(manager), coach=coach.pk))) == ["Order picking", "Returns"]


def test_it_filters_by_learner(client_for, manager, two_teams):
    learner = two_teams["learner"]
    assert sorted(rows(get(client_for(manager), learner=learner.pk))) == [
        "Carton sizing",
        "Returns",
    ]


def test_achieve_by_passed_keeps_only_overdue_targets(client_for, manager, two_teams):
    assert sorted(rows(get(client_for(manager), overdue="1"))) == [
        "Carton sizing",
        "Order picking",
    ]


def test_no_experiment_in_seven_days_keeps_only_quiet_boards(client_for, manager, two_teams):
    assert sorted(rows(get(client_for(manager), no_step="1"))) == ["Carton sizing", "Returns"]


def test_no_coaching_cycle_in_seven_days_keeps_only_uncoached_boards(
    client_for, manager, two_teams
):
    assert sorted(rows(get(client_for(manager), no_cycle="1"))) == ["Carton sizing", "Returns"]


def test_filters_combine(client_for, manager, two_teams, coach):
    assert rows(get(client_for(manager), coach=coach.pk, overdue="1")) == ["Order picking"]


@pytest.mark.parametrize(
    "params",
    [
        {"coach": "abc"},
        {"learner": "999999"},
        {"sort": "password"},
        {"page": "-3"},
        {"page": "lots"},
        {"page": "99999999999999999999"},  # past a 64-bit OFFSET on PostgreSQL
        {"page": "9" * 5000},  # past the digits Python turns into an int
        {"overdue": "maybe"},
        {"q": "x" * 500},
    ],
)
def test_nonsense_in_the_address_never_breaks_the_page(client_for, manager, two_teams, params):
    response = get(client_for(manager), **params)
    assert len(rows(response)) >= 1


def test_an_ignored_filter_is_named(client_for, manager, two_teams):
    html = get(client_for(manager), coach="abc").content.decode()
    assert 'role="alert"' in html and "Coach:" in html


# Search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("carton", ["Carton sizing"]),  # focus process
        ("packing", ["Carton sizing", "Pallet wrapping"]),  # team
        ("olga", ["Carton sizing", "Pallet wrapping"]),  # coach
        ("reed", ["Carton sizing", "Returns"]),  # learner
        ("lena pallet", ["Pallet wrapping"]),  # every word must match somewhere
        ("nothing-like-this", []),
    ],
)
def test_search_looks_in_names_teams_and_processes(client_for, manager, two_teams, query, expected):
    assert sorted(rows(get(client_for(manager), q=query))) == expected


def test_search_finds_the_challenge(client_for, manager, team):
    sb = board(team, "Order picking")
    sb.challenge.title = "Same-day dispatch for every order"
    sb.challenge.save()
    board(team, "Returns")
    assert rows(get(client_for(manager), q="same-day")) == ["Order picking"]


# Sorting --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [column.key for column in COLUMNS])
@pytest.mark.parametrize("descending", [False, True])
def test_every_column_sorts_both_ways(client_for, manager, two_teams, key, descending):
    response = get(client_for(manager), sort=f"-{key}" if descending else key)
    assert len(rows(response)) == 4
    html = response.content.decode()
    assert f'aria-sort="{"descending" if descending else "ascending"}"' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("focus", ["Carton sizing", "Order picking", "Pallet wrapping", "Returns"]),
        ("-focus", ["Returns", "Pallet wrapping", "Order picking", "Carton sizing"]),
        ("team", ["Order picking", "Returns", "Carton sizing", "Pallet wrapping"]),
        ("achieve_by", ["Carton sizing", "Order picking", "Returns", "Pallet wrapping"]),
        ("-pdca_7", ["Pallet wrapping", "Order picking", "Returns", "Carton sizing"]),
        ("-pdca_30", ["Pallet wrapping", "Order picking", "Returns", "Carton sizing"]),
        ("coach", ["Order picking", "Returns", "Carton sizing", "Pallet wrapping"]),
        ("learner", ["Order picking", "Pallet wrapping", "Returns", "Carton sizing"]),
        ("last_cycle", ["Returns", "Order picking", "Pallet wrapping", "Carton sizing"]),
        ("-last_cycle", ["Pallet wrapping", "Order picking", "Returns", "Carton sizing"]),
        ("next_session", ["Order picking", "Pallet wrapping", "Returns", "Carton sizing"]),
    ],
)
def test_sorting_orders_the_rows(client_for, manager, two_teams, sort, expected):
    assert rows(get(client_for(manager), sort=sort)) == expected


def test_a_board_without_a_target_sorts_last_both_ways(client_for, manager, team):
    board(team, "Later", achieve_in=20)
    board(team, "Sooner", achieve_in=2)
    board(team, "No target", achieve_in=None)
    assert rows(get(client_for(manager), sort="achieve_by")) == ["Sooner", "Later", "No target"]
    assert rows(get(client_for(manager), sort="-achieve_by")) == ["Later", "Sooner", "No target"]


def test_a_column_header_sorts_by_it_then_reverses(client_for, manager, two_teams):
    html = get(client_for(manager), sort="achieve_by", team="packing").content.decode()
    links = dict(re.findall(r'<a href="\?([^"]*)">(Achieve by|Team)', html))
    by_team = {v: k for k, v in links.items()}
    assert parse_qs(by_team["Achieve by"].replace("&amp;", "&")) == {
        "sort": ["-achieve_by"],
        "team": ["packing"],
    }
    assert parse_qs(by_team["Team"].replace("&amp;", "&")) == {
        "sort": ["team"],
        "team": ["packing"],
    }


# Paging and the address -----------------------------------------------------------------------


@pytest.fixture
def many(team, manager):
    return [board(team, f"Process {n:02d}", achieve_in=None) for n in range(PAGE_SIZE + 10)]


def test_it_pages_fifty_rows_at_a_time(client_for, manager, many):
    client = client_for(manager)
    first = rows(get(client, sort="focus"))
    second = rows(get(client, sort="focus", page="2"))
    assert len(first) == PAGE_SIZE and len(second) == 10
    assert first[0] == "Process 00" and second[-1] == "Process 59"
    assert (
        "Showing 51\N{EN DASH}60 of 60 storyboards"
        in get(client, sort="focus", page="2").content.decode()
    )


def test_paging_links_keep_the_filters(client_for, manager, many):
    html = get(client_for(manager), q="process", sort="-focus").content.decode()
    next_link = re.search(r'<a href="\?([^"]*)" rel="next">', html).group(1)
    assert parse_qs(next_link.replace("&amp;", "&")) == {
        "q": ["process"],
        "sort": ["-focus"],
        "page": ["2"],
    }


def test_the_export_link_keeps_the_filters_but_not_the_page(client_for, manager, many):
    html = get(client_for(manager), q="process", sort="-focus", page="2").content.decode()
    href = re.search(r'<a class="button" href="([^"]*)" download>', html).group(1)
    url = urlsplit(href.replace("&amp;", "&"))
    assert url.path == reverse("dashboard_export")
    assert parse_qs(url.query) == {"q": ["process"], "sort": ["-focus"]}


def test_the_filter_form_shows_the_current_filters(client_for, manager, two_teams, coach):
    html = get(client_for(manager), q="pick", team="packing", coach=coach.pk, overdue="1").content
    html = html.decode()
    assert 'value="pick"' in html
    assert '<option value="packing" selected>' in html
    assert f'<option value="{coach.pk}" selected>Carl Moss</option>' in html
    assert 'name="overdue" value="1" checked' in html


def test_rows_link_to_their_board(client_for, manager, team):
    sb = board(team, "Order picking")
    html = get(client_for(manager)).content.decode()
    assert f'class="row-link" href="{sb.get_absolute_url()}"' in html
    assert f'href="{reverse("team_practice", args=[team.slug])}"' in html


def test_the_page_has_one_h1_and_labelled_filters(client_for, manager, two_teams):
    html = get(client_for(manager)).content.decode()
    assert html.count("<h1") == 1
    for field in ("q", "team", "coach", "learner", "sort"):
        assert f'<label for="id_{field}">' in html
    assert '<th scope="row"' in html and '<th scope="col"' in html


def test_it_shows_no_scores_or_league_tables(client_for, manager, two_teams):
    html = get(client_for(manager)).content.decode().lower()
    for word in ("score", "rank", "league"):
        assert word not in html


# Query counts ---------------------------------------------------------------------------------


def _populate(team, count: int) -> None:
    coach = UserFactory()
    for n in range(count):
        board(
            team,
            f"Board {n}",
            coach=coach if n % 2 else None,
            achieve_in=n - 5,
            values=(30 + n, 31, 29),
            steps_ago=(1, 8),
            working="Something in the way" if n % 3 else "",
            parked=n % 3,
            cycles_ago=(1, 4) if n % 2 else (),
            sessions_in=(1,),
        )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "-pdca_7"},
        {"q": "board", "overdue": "1", "sort": "metric"},
        {"no_step": "1", "sort": "-parked"},
        {"no_cycle": "1", "sort": "next_session"},
        {"sort": "-last_cycle", "team": "dispatch"},
    ],
)
def test_the_query_count_does_not_grow_with_the_boards(
    client_for, manager, team, django_assert_max_num_queries, params
):
    client = client_for(manager)
    _populate(team, 3)
    with django_assert_max_num_queries(10) as small:
        get(client, **params)
    _populate(team, 30)
    with django_assert_max_num_queries(10) as large:
        get(client, **params)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_obstacle_counts_ignore_cleared_ones(client_for, manager, team):
    sb = board(team, "Order picking", parked=1)
    target = sb.target_conditions.get()
    ObstacleFactory(target_condition=target, status=Obstacle.Status.CLEARED)
    assert "1 parked" in get(client_for(manager)).content.decode()


# Long coach and learner lists -----------------------------------------------------------------


@pytest.fixture
def short_lists(monkeypatch):
    monkeypatch.setattr("kata.dashboard.filters.PEOPLE_LIST_BOARDS", 3)


def test_with_many_boards_the_people_lists_wait_for_a_team(
    client_for, manager, two_teams, coach, short_lists
):
    html = get(client_for(manager)).content.decode()
    assert "choose a team to pick one of its coaches or learners" in html
    assert f'<option value="{coach.pk}"' not in html
    html = get(client_for(manager), team="dispatch").content.decode()
    assert "choose a team" not in html
    assert f'<option value="{coach.pk}">Carl Moss</option>' in html


def test_a_chosen_coach_is_named_even_when_the_lists_are_not_shown(
    client_for, manager, two_teams, coach, short_lists
):
    response = get(client_for(manager), coach=coach.pk)
    assert sorted(rows(response)) == ["Order picking", "Returns"]
    assert f'<option value="{coach.pk}" selected>Carl Moss</option>' in response.content.decode()


def test_someone_outside_the_visible_boards_is_not_named(
    client_for, manager, two_teams, outsider, short_lists
):
    html = get(client_for(manager), learner=outsider.pk).content.decode()
    assert "Otto" not in html
    assert "not the learner of a storyboard you can see" in html


def test_a_person_filter_costs_the_same_queries_whatever_the_boards(
    client_for, manager, team, coach, django_assert_max_num_queries, short_lists
):
    client = client_for(manager)
    _populate(team, 2)
    board(team, "Coached", coach=coach)
    with django_assert_max_num_queries(10) as small:
        get(client, coach=coach.pk)
    _populate(team, 10)
    with django_assert_max_num_queries(10) as large:
        get(client, coach=coach.pk)
    assert len(large.captured_queries) == len(small.captured_queries)
