"""Admin tasks on the command line: geodata import with progress and summary, the demo, users."""
import pytest
from sqlalchemy import func, select

from canvass.cli import RefusingGroup
from canvass.extensions import db
from canvass.models import Organisation, User
from canvass.refusal import N_, Refusal
from tests.conftest import _dispose, make_app, roles_of


def test_geodata_import_detects_formats_and_ends_with_a_summary(app, geodata):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["geodata", "import", str(geodata / "addresses_oslo_sentrum_osm.csv"),
                                 str(geodata / "postnummerregister_oslo_baerum.csv")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == ["postnummerregister_oslo_baerum.csv: 696 postnumre lagt til, 0 endret, 0 uendret, 0 avvist",
                     "addresses_oslo_sentrum_osm.csv: 13\u00a0227 adresser lagt til, 0 endret, 0 uendret, 0 avvist"]
    assert "addresses_oslo_sentrum_osm.csv" in result.stderr and "13227/13227" in result.stderr


def test_geodata_import_of_a_bad_file_fails_with_a_norwegian_message(app, tmp_path):
    (tmp_path / "tom.csv").write_text("")
    result = app.test_cli_runner().invoke(args=["geodata", "import", str(tmp_path / "tom.csv")])
    assert result.exit_code == 1
    assert "Fila tom.csv er tom." in result.output


def test_rejected_rows_are_listed_and_nothing_is_stored_unless_skipped(app, geodata, tmp_path):
    lines = (geodata / "addresses_oslo_sentrum_osm.csv").read_text().splitlines()[:3]
    (tmp_path / "a.csv").write_text("\n".join(lines) + "\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["geodata", "import", str(tmp_path / "a.csv")])
    assert result.exit_code == 1
    assert "linje 2: Ukjent postnummer «0010»." in result.stderr
    assert "Ingenting fra a.csv ble lagret" in result.stderr


def test_demo_load_prints_the_logins_and_can_run_again(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "13\u00a0227 adresser lagt til" in first.output
    assert "admin@oslo.demo" in first.output and "bli med i Sagene via http://127.0.0.1:5000/bli-med/" in first.output
    # The demo's leaflet drop, with Daniel's round half done: its figures are in the README's demo section.
    assert "Løpeseddelutdelingen «Valgavis desember»: 81 av 13\u00a0796 husstander nådd" in first.output
    users = db.session.scalar(select(db.func.count()).select_from(User))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "lagt til" not in second.output
    assert db.session.scalar(select(db.func.count()).select_from(User)) == users


def test_user_create_with_password(demo_app):
    # Names spelt as the operator likes (tester I: «oslo» was not found, though `org create` took it as «Oslo»).
    result = demo_app.test_cli_runner().invoke(args=[
        "user", "create", "--organisation", "oslo", "--role", "coordinator", "--name", "Gro Grorud",
        "--email", "grorud@oslo.demo", "--branch", "GRORUD"], input="hemmelig-123\nhemmelig-123\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "grorud@oslo.demo"))
    assert roles_of(user) == [("coordinator", "Grorud")] and user.password_hash.startswith("$argon2")


@pytest.mark.parametrize("email, password, message", [
    ("Sagene@Oslo.demo", "hemmelig-123", "sagene@oslo.demo har allerede en brukerkonto i Canvass."),
    ("ikke-en-adresse", "hemmelig-123", "«ikke-en-adresse» er ikke en gyldig e-postadresse."),
    ("ny@oslo.demo", "kort", "Passordet må ha minst 10 tegn."),
])
def test_user_create_refuses_in_norwegian_without_a_database_error_and_creates_nothing(demo_app, email, password,
                                                                                         message):
    users = db.session.scalar(select(func.count()).select_from(User))
    result = demo_app.test_cli_runner().invoke(args=[
        "user", "create", "--organisation", "Oslo", "--role", "committee", "--name", "Sigrid To",
        "--email", email], input=f"{password}\n{password}\n")
    assert result.exit_code == 1 and message in result.output
    # Nothing of the database's own error, and never a password hash, reaches the screen.
    assert "IntegrityError" not in result.output and "argon2" not in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_a_refusal_midway_through_a_command_stores_nothing_and_ends_in_norwegian(app):
    group = RefusingGroup("prøve")

    @group.command("halvveis")
    def halfway():
        db.session.add(Organisation(name="Halvveis SV"))
        db.session.flush()
        raise Refusal(N_("Kommune %(number)s finnes ikke."), number="9999")

    result = app.test_cli_runner().invoke(group, ["halvveis"])
    assert result.exit_code == 1
    assert "Kommune 9999 finnes ikke." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)
                                 .where(Organisation.name == "Halvveis SV")) == 0


def test_every_command_group_turns_refusals_into_a_message_the_one_way(app):
    ours = [group for name, group in app.cli.commands.items() if name not in {"db", "routes", "run", "shell"}]
    assert ours and all(isinstance(group, RefusingGroup) for group in ours), [g.name for g in ours]


def test_a_command_on_a_database_not_yet_set_up_says_what_to_run(tmp_path):
    fresh = make_app(f"sqlite:///{tmp_path / 'ny.db'}")
    try:
        result = fresh.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 1
        assert "Databasen er ikke satt opp ennå. Kjør «flask --app canvass db upgrade» først." in result.output
    finally:
        _dispose(fresh)
