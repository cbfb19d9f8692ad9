"""A team's data as JSON and back: the export, the import, and the round trip between them."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from boards import exchange
from boards.demo.constants import DEMO_TEAM_SLUGS
from boards.models import (
    Activity,
    Experiment,
    Invitation,
    Membership,
    Storyboard,
    TargetCondition,
    Team,
    User,
)
from boards.services.experiments import experiment_plan, experiment_record_result
from boards.services.invitations import invitation_create
from boards.services.obstacles import obstacle_add, obstacle_clear, obstacle_work_on
from boards.services.storyboards import storyboard_update
from boards.services.targets import (
    actual_condition_record,
    measurement_add,
    target_condition_close,
    target_condition_start,
)

pytestmark = pytest.mark.django_db

VARYING = ("exported_at",)


def _comparable(document: dict) -> dict:
    """The document without what legitimately differs between two exports of the same team."""
    document = {key: value for key, value in document.items() if key not in VARYING}
    document["team"] = {key: v for key, v in document["team"].items() if key != "slug"}
    return document


def _import(document: dict, *args: str) -> str:
    path = _write(document)
    out = StringIO()
    call_command("import_team", path, *args, stdout=out)
    return out.getvalue()


def _write(document: dict) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", delete=False, dir="/tmp", prefix="kata-test-"
    ) as file:
        json.dump(document, file)
    return file.name


@pytest.fixture
def busy_board(team, team_admin, learner, coach, storyboard, target):
    """A storyboard that has seen most kinds of change, written through the services."""
    first = obstacle_add(
        target_condition=target, description="Pick list out of aisle order", by=learner
    )
    obstacle_work_on(obstacle=first, version=first.version, by=learner)
    second = obstacle_add(
        target_condition=target, description="Scanner batteries go flat", by=learner
    )
    obstacle_clear(obstacle=second, version=second.version, by=coach)
    step = experiment_plan(
        target_condition=target,
        step="Print the pick list sorted by aisle",
        expected="Pick time falls to 35 minutes",
        obstacle=first,
        by=learner,
    )
    experiment_record_result(
        experiment=step,
        version=step.version,
        happened="Pick time 33.5 minutes",
        learned="The printer queue matters more than the route",
        threshold_of_knowledge=True,
        measurement_value="33.5",
        by=learner,
    )
    actual_condition_record(
        storyboard=storyboard, operating_pattern="Pickers walk the aisles once.", by=learner
    )
    outcome = target.metrics.get(kind="outcome")
    measurement_add(metric=outcome, value="88", note="Tuesday", by=coach)
    target.refresh_from_db()
    target_condition_close(
        target_condition=target,
        version=target.version,
        status="achieved",
        reflection="Sorting the list was most of it.",
        by=coach,
    )
    nxt = target_condition_start(
        storyboard=storyboard,
        operating_pattern="Orders picked in batches of four.",
        achieve_by=timezone.localdate() + timedelta(days=21),
        process_metric={"name": "Pick time per order", "unit": "min", "target_value": "25.25"},
        by=coach,
    )
    experiment_plan(
        target_condition=nxt, step="Try batches of four", expected="Under 30 minutes", by=learner
    )
    storyboard.refresh_from_db()
    storyboard_update(
        storyboard=storyboard,
        version=storyboard.version,
        focus_process="Order picking, zone A",
        challenge=storyboard.challenge,
        learner=learner,
        coach=team_admin,
        by=team_admin,
    )
    return storyboard


def test_the_export_round_trips_through_an_import(busy_board, team):
    first = exchange.export_document(team)

    output = _import(first, "--slug", "dispatch-copy")

    copy = Team.objects.get(slug="dispatch-copy")
    second = exchange.export_document(copy)
    assert _comparable(second) == _comparable(first)
    assert second["team"]["slug"] == "dispatch-copy"
    assert "Imported Dispatch as /teams/dispatch-copy/" in output
    # Nothing shared between the two teams but the people.
    assert not Storyboard.objects.filter(team=copy).filter(pk=busy_board.pk).exists()
    assert Storyboard.objects.filter(team=copy).count() == 1


def test_the_document_holds_every_part_of_the_board(busy_board, team):
    document = exchange.export_document(team)

    boards = document["boards"]
    assert document["format"] == "kata.team" and document["version"] == 1
    assert [len(boards[name]) for name in ("challenges", "storyboards", "target_conditions")] == [
        1,
        1,
        2,
    ]
    assert len(boards["metrics"]) == 3
    assert len(boards["obstacles"]) == 2
    assert len(boards["experiments"]) == 2
    assert len(boards["measurements"]) == 2
    assert len(boards["actual_conditions"]) == 1
    assert len(boards["activities"]) == Activity.objects.filter(storyboard=busy_board).count()
    assert {m["role"] for m in boards["memberships"]} == {"admin", "member", "coach"}
    board = boards["storyboards"][0]
    assert board["revision"] == Storyboard.objects.get(pk=busy_board.pk).revision
    assert board["version"] == 2
    # References are the document's own numbers, not database keys.
    measured = next(m for m in boards["measurements"] if m["experiment"] is not None)
    assert measured["experiment"] == 1 and measured["value"] == "33.5000"


def test_the_export_has_no_password_hashes_and_no_pending_invitations(busy_board, team, team_admin):
    invitation_create(team=team, email="newcomer@example.com", role="member", by=team_admin)
    text = exchange.export_to_file(team).read().decode()
    document = json.loads(text)

    for user in User.objects.all():
        assert user.password not in text
    assert "password" not in text
    assert "newcomer@example.com" not in text
    assert "invitations" not in document["boards"]
    assert {tuple(sorted(row)) for row in document["users"]} == {
        ("email", "first_name", "id", "last_name", "time_zone", "username")
    }


def test_activity_entries_point_at_the_imported_rows(busy_board, team):
    _import(exchange.export_document(team), "--slug", "dispatch-copy")

    copy = Storyboard.objects.get(team__slug="dispatch-copy")
    recorded = Activity.objects.get(storyboard=copy, action="experiment.result_recorded")
    experiment = Experiment.objects.get(pk=recorded.object_id)
    assert experiment.target_condition.storyboard_id == copy.pk
    changed = Activity.objects.get(storyboard=copy, action="storyboard.updated")
    assert changed.before["challenge"] == copy.challenge_id
    assert changed.after["coach"] == copy.coach_id
    planned = Activity.objects.filter(storyboard=copy, action="experiment.planned").first()
    assert planned.object_id in set(
        Experiment.objects.filter(target_condition__storyboard=copy).values_list("pk", flat=True)
    )


def test_the_demo_and_its_coaching_round_trip(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_coaching_demo", stdout=StringIO())
    observations = 0
    for slug in DEMO_TEAM_SLUGS:
        first = exchange.export_document(Team.objects.get(slug=slug))
        assert first["coaching"]["coaching_cycles"], f"{slug} should have coaching cycles"
        observations += len(first["coaching"]["coaching_observations"])

        _import(first, "--slug", f"{slug}-copy")

        second = exchange.export_document(Team.objects.get(slug=f"{slug}-copy"))
        assert _comparable(second) == _comparable(first)
    assert observations, "the demo should have a second coach's observation"


@pytest.mark.django_db(transaction=True)
def test_a_team_imports_into_an_empty_installation(busy_board, team, learner):
    first = exchange.export_document(team)
    call_command("flush", interactive=False)
    assert not User.objects.exists()

    output = _import(first)

    team = Team.objects.get(slug="dispatch")
    assert _comparable(exchange.export_document(team)) == _comparable(first)
    lena = User.objects.get(username="lena")
    assert not lena.is_active and not lena.has_usable_password()
    assert "3 new inactive accounts" in output


def test_people_are_matched_by_email_address_and_the_others_created(busy_board, team, learner):
    document = exchange.export_document(team)
    lena = next(u for u in document["users"] if u["username"] == "lena")
    carl = next(u for u in document["users"] if u["username"] == "carl")
    carl["email"] = "carl@elsewhere.example"  # someone this installation does not know

    _import(document, "--slug", "dispatch-copy")

    copy = Team.objects.get(slug="dispatch-copy")
    members = {m.user.username: m for m in Membership.objects.filter(team=copy)}
    assert members["lena"].user == learner, f"matched by {lena['email']}"
    # The username carl is taken here by someone else: the newcomer gets a free one.
    assert "carl-2" in members
    newcomer = members["carl-2"].user
    assert newcomer.email == "carl@elsewhere.example"
    assert not newcomer.is_active and not newcomer.has_usable_password()
    assert User.objects.get(username="carl").email != "carl@elsewhere.example"


def test_the_import_refuses_a_slug_that_exists(busy_board, team):
    document = exchange.export_document(team)

    with pytest.raises(CommandError, match="exists already"):
        _import(document)

    assert Team.objects.filter(slug="dispatch").count() == 1


def test_the_import_is_all_or_nothing(busy_board, team):
    document = exchange.export_document(team)
    document["users"].append(
        {
            "id": 99,
            "username": "newbie",
            "email": "newbie@example.com",
            "first_name": "New",
            "last_name": "Bie",
            "time_zone": "UTC",
        }
    )
    document["boards"]["memberships"].append({"id": 99, "user": 99, "role": "viewer"})
    # Two active target conditions on one board: the database's constraint refuses the last rows.
    document["boards"]["target_conditions"][0]["status"] = "active"
    document["boards"]["target_conditions"][0]["closed_at"] = None
    users, teams = User.objects.count(), Team.objects.count()

    with pytest.raises(CommandError, match=r"Nothing was imported\. The database refused"):
        _import(document, "--slug", "dispatch-copy")

    assert (User.objects.count(), Team.objects.count()) == (users, teams)
    assert not User.objects.filter(username="newbie").exists()
    assert TargetCondition.objects.filter(storyboard__team__slug="dispatch-copy").count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="something.else"), "This is not a Kata team document."),
        (lambda d: d.update(version=2), "This document has version 2; this Kata reads 1."),
        (
            lambda d: d.update(gardening={"beds": [{"id": 1}]}),
            "The document holds 'gardening' data, which this installation cannot take.",
        ),
        (
            lambda d: d["boards"]["experiments"][0].update(obstacle=42),
            "boards.experiments[0].obstacle: 42 is not an id of the document's obstacles.",
        ),
        (
            lambda d: d["boards"]["experiments"][0].update(expected=""),
            "boards.experiments[0].expected: This field cannot be blank.",
        ),
        (
            lambda d: d["boards"]["metrics"][0].update(target_value="lots"),
            "boards.metrics[0].target_value: Enter a number, such as 31 or 12.5.",
        ),
        (
            lambda d: d["boards"]["memberships"][0].update(role="owner"),
            "boards.memberships[0].role: Value 'owner' is not a valid choice.",
        ),
        (
            lambda d: d["boards"]["storyboards"][0].pop("learner"),
            "boards.storyboards[0].learner: Missing: give the id of one of the document's users.",
        ),
        (
            lambda d: d["boards"]["challenges"].append({"title": "x"}),
            "boards.challenges[1].id: Every row needs a whole-number id from 1, not null.",
        ),
    ],
)
def test_the_import_refuses_a_broken_document_with_a_reason(busy_board, team, change, message):
    document = exchange.export_document(team)
    change(document)
    teams = Team.objects.count()

    with pytest.raises(CommandError) as refused:
        _import(document, "--slug", "dispatch-copy")

    assert str(refused.value) == f"Nothing was imported. {message}"
    assert Team.objects.count() == teams


def test_the_import_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "team.json"
    path.write_text("{not json")

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_team", str(path))


def test_the_import_command_reads_standard_input_for_a_dash(busy_board, team, monkeypatch):
    document = exchange.export_document(team)
    monkeypatch.setattr("sys.stdin", StringIO(json.dumps(document)))
    out = StringIO()

    call_command("import_team", "-", "--slug", "dispatch-piped", stdout=out)

    assert "Imported Dispatch as /teams/dispatch-piped/" in out.getvalue()
    copy = Team.objects.get(slug="dispatch-piped")
    assert _comparable(exchange.export_document(copy)) == _comparable(document)


def test_the_export_command_writes_the_document(busy_board, team, tmp_path):
    path = tmp_path / "team.json"
    call_command("export_team", "dispatch", "--output", str(path), stderr=StringIO())

    document = json.loads(path.read_text())
    assert _comparable(document) == _comparable(exchange.export_document(team))


def test_the_export_command_refuses_an_unknown_team():
    with pytest.raises(CommandError, match="No team"):
        call_command("export_team", "nowhere")


# The export link ------------------------------------------------------------------------------


def test_an_administrator_downloads_the_export(client_for, busy_board, team, team_admin):
    response = client_for(team_admin).get(reverse("boards:team_export", args=["dispatch"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="kata-dispatch-')
    document = json.loads(b"".join(response.streaming_content))
    assert _comparable(document) == _comparable(exchange.export_document(team))


def test_the_export_costs_the_same_queries_however_much_data(
    client_for, team, team_admin, storyboard, target, learner, django_assert_max_num_queries
):
    client = client_for(team_admin)
    url = reverse("boards:team_export", args=["dispatch"])
    client.get(url)  # the session and caches warm up
    with django_assert_max_num_queries(EXPORT_QUERIES):
        b"".join(client.get(url).streaming_content)
    for n in range(30):
        obstacle_add(target_condition=target, description=f"Obstacle {n}", by=learner)
    with django_assert_max_num_queries(EXPORT_QUERIES):
        b"".join(client.get(url).streaming_content)


# Session, user, team, role; one query per table (boards and coaching) and one for the people.
EXPORT_QUERIES = 4 + 10 + 4 + 1 + 4


def test_pending_invitations_do_not_stop_an_import_elsewhere(busy_board, team, team_admin):
    invitation_create(team=team, email="someone@example.com", role="coach", by=team_admin)
    _import(exchange.export_document(team), "--slug", "dispatch-copy")

    assert not Invitation.objects.filter(team__slug="dispatch-copy").exists()
