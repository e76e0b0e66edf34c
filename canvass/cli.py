"""`flask` commands for every admin task; thin wrappers over the services."""
import functools
import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from flask_babel import get_locale, gettext
from sqlalchemy import func, inspect, select

from canvass import backup
from canvass.clock import utcnow
from canvass.extensions import db
from canvass.formatting import format_number, place_name
from canvass.models import Branch, JobKind, Organisation, Role, User
from canvass.privacy import audit, handover, retention, subject
from canvass.refusal import N_, Refusal
from canvass.services import jobs
from canvass.services.committee import answer_counts
from canvass.services.demo import demo, sample_input
from canvass.services.field import mailboxes
from canvass.services.geography import geonorge, kommuner
from canvass.services.people import logins, organisations, people
from canvass.services.turf import drops, packing
from canvass.typed import name_key


class RefusingGroup(AppGroup):
    """Commands whose refusals end the command the one way: nothing stored (rolled back), the reason on stderr
    in the operator's language and exit status 1, the same `Refusal` the web shows as a flash. A command needs
    the tables unless it says `needs_schema=False` (a restore brings its own)."""

    def command(self, *args, needs_schema: bool = True, **kwargs):
        register = super().command(*args, **kwargs)
        return lambda f: register(_refusals_in_words(f, needs_schema))


def _refusals_in_words(f, needs_schema: bool):
    @functools.wraps(f)
    def command(*args, **kwargs):
        try:
            if needs_schema:
                _schema_ready()
            return f(*args, **kwargs)
        except Refusal as refused:
            db.session.rollback()
            raise click.ClickException(_worded(refused)) from None
    return command


def _schema_ready() -> None:
    """Every command needs the tables: on a new database file, say what to run instead of a database error."""
    if not inspect(db.engine).has_table("organisation"):
        raise Refusal(N_("Databasen er ikke satt opp ennå. Kjør «flask --app canvass db upgrade» først."))


def _worded(refused: Refusal) -> str:
    return gettext(refused.message, **refused.params)


geodata_cli = RefusingGroup("geodata", help="Last inn offisielle geodata (postnummerområder, adresser, bydeler).")
demo_cli = RefusingGroup("demo", help="Demodata for utvikling og utprøving.")
user_cli = RefusingGroup("user", help="Brukere og roller.")
backup_cli = RefusingGroup("backup", help="Sikkerhetskopi av databasen og gjenoppretting.")
org_cli = RefusingGroup("org", help="Organisasjoner: opprett en ny, endre kommunene.")
setup_cli = RefusingGroup("setup", help="Første oppstart: engangskoden for oppsett på nettsiden.")
counts_cli = RefusingGroup("counts", help="Komiteenes opptellinger: tell opp på nytt fra det som er lagret.")
privacy_cli = RefusingGroup("privacy",
                            help="Personvern: sletting etter lagringstid, innsyn og sletting på forespørsel.")


def _progress_bar(path: Path):
    """Progress per file on stderr, so the summary lines on stdout stay clean.

    On a terminal the line redraws in place; in a log it prints every tenth.
    """
    tty = sys.stderr.isatty()
    shown = [-1]

    def advance(done: int, total: int):
        tenth = 10 * done // max(total, 1)
        if not tty and tenth == shown[0]:
            return
        shown[0] = tenth
        bar = "#" * (3 * tenth) + "-" * (30 - 3 * tenth)
        end = "\n" if done >= total or not tty else ""
        click.echo(f"\r{path.name} [{bar}] {done}/{total}", file=sys.stderr, nl=False)
        click.echo(end, file=sys.stderr, nl=False)
    return advance


class _PrintedProgress:
    """A job's progress on stderr when it runs in the foreground: each step on a line, then its bar."""

    def __init__(self):
        self.bar = None

    def step(self, name: str, part: int | None = None, parts: int | None = None, source: str = "") -> None:
        self.bar = None
        if not name:
            return
        where = gettext("Del %(part)s av %(parts)s", part=part, parts=parts) + ": " if parts else ""
        click.echo(f"{where}{name}" + (f" ({source})" if source else ""), err=True)
        self.bar = _progress_bar(Path(source.rsplit("/", 1)[-1] if source else name))

    def advance(self, done: int, total: int) -> None:
        if self.bar:
            self.bar(done, total)


def _report(results) -> bool:
    ok = True
    for result in results:
        click.echo(f"{result.path.name}: {result.summary()}")
        for line in result.rejected_lines(limit=20):
            click.echo(f"  {line}", err=True)
        if len(result.rejected) > 20:
            click.echo("  " + gettext("… og %(count)s til", count=len(result.rejected) - 20), err=True)
        if not result.stored:
            ok = False
            click.echo(gettext("Ingenting fra %(name)s ble lagret. Rett feilene, eller godta at de avviste "
                               "radene hoppes over med --skip-invalid.", name=result.path.name), err=True)
    return ok


def _report_job(result: dict) -> bool:
    """A foreground job's result, as the job's page shows it: a summary line per file on stdout, the rejected
    lines on stderr. False when a file was not stored."""
    language = str(get_locale() or "nb")
    ok = True
    for file in result["files"]:
        click.echo(f"{file['name']}: {jobs.worded(file['summary'], language)}")
        for line in (file["rejected"].get(language) or file["rejected"]["nb"])[:20]:
            click.echo(f"  {line}", err=True)
        if file["rejected_count"] > 20:
            click.echo("  " + gettext("… og %(count)s til", count=file["rejected_count"] - 20), err=True)
        if not file["stored"]:
            ok = False
            click.echo(gettext("Ingenting fra %(name)s ble lagret. Rett feilene, eller godta at de avviste "
                               "radene hoppes over med --skip-invalid.", name=file["name"]), err=True)
    return ok


def _run_job(kind: JobKind, params: dict) -> dict:
    """Run a job's work in this process, as `flask jobs worker` would; a refusal ends the command in Norwegian."""
    return jobs.run_in_foreground(kind, params, _PrintedProgress())


@geodata_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Lagre de gyldige radene selv om noen avvises.")
def import_command(paths, skip_invalid):
    """Importer geodatafiler her og nå (samme arbeid som importjobben); formatet gjenkjennes automatisk."""
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise click.ClickException(gettext("Fant ikke fila: %(paths)s.", paths=", ".join(missing)))
    result = _run_job(JobKind.IMPORT, {"folder": ".", "files": [str(p) for p in paths], "skip_invalid": skip_invalid})
    if not _report_job(result):
        raise SystemExit(1)


@geodata_cli.command("download")
@click.option("--kommune", "kommuner_", multiple=True, required=True,
              help="Kommunenummer, f.eks. 0301. Kan gis flere ganger.")
@click.option("--navn", help="Kommunenavnet, om det ikke er kjent (bare med én --kommune).")
@click.option("--skip-invalid", is_flag=True, help="Lagre de gyldige radene selv om noen avvises.")
def download_command(kommuner_, navn, skip_invalid):
    """Last ned og importer offisielle geodata for kommuner fra Geonorge, her og nå (samme arbeid som
    nedlastingsjobben på geodatasiden)."""
    if navn and len(kommuner_) > 1:
        raise click.ClickException(gettext("--navn kan bare brukes med én --kommune."))
    names = {}
    for number in kommuner_:
        if not geonorge.KOMMUNENUMMER.match(number):
            raise click.ClickException(gettext("Kommunenummeret «%(number)s» er ikke fire sifre.", number=number))
        names[number] = navn or geonorge.known_name(number)
        if not names[number]:
            raise click.ClickException(gettext("Kjenner ikke navnet på kommune %(number)s. Oppgi det med --navn.",
                                               number=number))
    ok = True
    for number, name in names.items():
        click.echo(gettext("Kommune %(number)s %(name)s", number=number, name=place_name(name)), err=True)
        # Not the job's own folder: the files stay in DOWNLOAD_DIR for the operator to import again.
        params = {"folder": str(Path(current_app.config["DOWNLOAD_DIR"]) / number),
                  "kommunenummer": number, "kommunenavn": name, "skip_invalid": skip_invalid}
        try:
            ok = _report_job(_run_job(JobKind.DOWNLOAD, params)) and ok
        except Refusal as refused:
            if len(names) == 1:
                raise
            click.echo(_worded(refused), err=True)  # the other kommuner are still fetched
            ok = False
    if not ok:
        raise SystemExit(1)


@demo_cli.command("load")
@click.option("--inputs", default=3000, show_default=True, help="Antall genererte innspill til programkomiteen.")
def demo_load(inputs):
    """Last inn demoen: geodata fra ../shared/geodata, Oslo og Bærum med lag og brukere, genererte innspill."""
    folder = Path(current_app.config["GEODATA_DIR"])
    if not demo.geodata_files(folder):
        click.echo(gettext("Fant ingen geodata i %(folder)s. Last ned offisielle filer med "
                           "«flask --app canvass geodata download --kommune 0301», eller pek CANVASS_GEODATA "
                           "til en mappe med filene.", folder=folder), err=True)
    already = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo")) is not None
    if not already:
        _report(demo.load(folder))
        if inputs > 0:
            start = datetime.combine(date.today() - timedelta(weeks=8), time(12))
            sample_input.load(sample_input.organisation_named("Oslo"), inputs, start, keep=False,
                              progress=_progress_bar(Path(gettext("genererte innspill"))))
        drop = demo.leaflet_drop(date.today())
        if drop is not None:
            _print_drop(drop)
    _print_logins()


def _print_drop(drop) -> None:
    """The demo drop's coverage and packing figures, as its pages show them (README, "The demo")."""
    _, whole = mailboxes.of_actions([p.action for p in drop.parts])
    packed = packing.lists(drops.parts(drop))
    click.echo(gettext("Løpeseddelutdelingen «%(title)s»: %(reached)s av %(households)s husstander nådd "
                       "(%(no_ads)s «Nei takk til reklame», %(locked)s uten tilgang); pakkeliste: %(leaflets)s "
                       "løpesedler i %(turfs)s roder.", title=drop.title, reached=format_number(whole.reached),
                       households=format_number(whole.households), no_ads=whole.no_ads, locked=whole.locked,
                       leaflets=format_number(sum(b.leaflets for b in packed)),
                       turfs=sum(len(b.lines) for b in packed)))


def _print_logins():
    click.echo("")
    click.echo(gettext("Demo-innlogginger (passord: %(password)s):", password=demo.PASSWORD))
    for user in db.session.scalars(select(User).where(User.password_hash.is_not(None)).order_by(User.id)):
        for m in sorted(user.memberships, key=lambda m: m.sort_key):
            click.echo(f"  {user.email:24} {m.role.value:12} {m.branch.name if m.branch else user.organisation.name}")
    click.echo(gettext("Administratorer og koordinatorer setter opp tofaktorkode ved første innlogging "
                       "(skann QR-koden med en autentiseringsapp)."))
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    if sagene and coordinator:
        invite = people.current_invite(sagene) or people.create_invite(sagene, coordinator,
                                                                       current_app.config["INVITE_DAYS"])
        with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
            link = url_for("auth.join", token=invite.token, _external=True)
        click.echo(gettext("Dørbanker (ingen passord): bli med i Sagene via %(link)s", link=link))
    click.echo("")


@user_cli.command("create")
@click.option("--organisation", required=True, help="Organisasjonens navn, f.eks. Oslo.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--branch", help="Lagets navn, for koordinator og lagets programkomité.")
@click.password_option()
def create_user(organisation, role, name, email, branch, password):
    """Opprett en bruker med passord (admin, koordinator eller programkomité)."""
    org = _organisation(organisation)
    email = people.normal_email(email)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email, User.password_hash.is_not(None))):
        raise click.ClickException(gettext("%(email)s har allerede en brukerkonto i Canvass.", email=email))
    if len(password) < 10:
        raise click.ClickException(gettext("Passordet må ha minst 10 tegn."))
    branch_obj = None
    if branch:
        branch_obj = db.session.scalar(select(Branch).where(Branch.organisation_id == org.id,
                                                            Branch.name_key == name_key(branch)))
        if branch_obj is None:
            raise click.ClickException(gettext("Fant ikke laget %(name)s.", name=branch))
    people.create_user(org, Role(role), name, email=email, password=password, branch=branch_obj)
    db.session.commit()
    click.echo(gettext("Opprettet %(name)s.", name=name))


@user_cli.command("password")
@click.option("--email", required=True)
@click.password_option()
def set_password(email, password):
    """Gi en bruker med passord et nytt passord; alle innlogginger personen har, avsluttes."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower(),
                                                User.password_hash.is_not(None)))
    if user is None:
        raise click.ClickException(gettext("Fant ingen bruker med passord og e-postadressen %(email)s.", email=email))
    people.set_password(user, password)
    click.echo(gettext("Nytt passord for %(name)s. Alle innloggingene er avsluttet.", name=user.name))


role_cli = RefusingGroup("role", help="Gi og ta roller: én person kan ha flere, i ett eller flere lag.")
user_cli.add_command(role_cli)


def _role_options(command):
    for option in reversed([
        click.option("--email", help="Personens e-postadresse."),
        click.option("--phone", help="Personens telefonnummer (for dørbankere uten e-post)."),
        click.option("--organisation", help="Organisasjonens navn, når samme adresse finnes i flere."),
        click.option("--role", type=click.Choice([r.value for r in Role]), required=True),
        click.option("--branch", help="Lagets navn; utelatt for administrator og organisasjonens programkomité."),
    ]):
        command = option(command)
    return command


def _person(email, phone, organisation) -> User:
    if not email and not phone:
        raise click.UsageError(gettext("Oppgi --email eller --phone."))
    query = select(User).where(User.removed_at.is_(None))
    query = query.where(func.lower(User.email) == email.strip().lower()) if email else query.where(
        User.phone == phone.strip())
    if organisation:
        query = query.where(User.organisation_id == _organisation(organisation).id)
    found = db.session.scalars(query).all()
    if not found:
        raise click.ClickException(gettext("Fant ingen person med %(who)s.", who=email or phone))
    if len(found) > 1:
        raise click.ClickException(gettext("Flere personer har %(who)s. Oppgi --organisation, eller bruk "
                                           "personsiden /folk/.", who=email or phone))
    return found[0]


def _branch(user: User, name: str | None) -> Branch | None:
    if not name:
        return None
    branch = db.session.scalar(select(Branch).where(Branch.organisation_id == user.organisation_id,
                                                    Branch.name_key == name_key(name)))
    if branch is None:
        raise click.ClickException(gettext("Fant ikke laget %(name)s.", name=name))
    return branch


@role_cli.command("add")
@_role_options
def role_add(email, phone, organisation, role, branch):
    """Gi en person en rolle til; de andre rollene består."""
    user = _person(email, phone, organisation)
    token = people.add_role(user, Role(role), _branch(user, branch), None,
                            timedelta(hours=current_app.config["PASSWORD_LINK_HOURS"]))
    click.echo(gettext("%(name)s har nå rollene: %(roles)s.", name=user.name, roles=_roles(user)))
    if token:
        click.echo(gettext("Engangslenke der %(name)s velger passord (virker i %(hours)s timer):", name=user.name,
                           hours=current_app.config["PASSWORD_LINK_HOURS"]))
        click.echo(_external("auth.set_password", token=token))


@role_cli.command("remove")
@_role_options
def role_remove(email, phone, organisation, role, branch):
    """Ta en rolle fra en person. Uten andre roller igjen er personen fjernet og logget ut overalt."""
    user = _person(email, phone, organisation)
    place = _branch(user, branch)
    held = [m for m in user.memberships if m.role == Role(role)
            and m.branch_id == (place.id if place is not None and role != Role.ADMIN else None)]
    gone = people.remove_roles(user, held, None)
    if gone:
        click.echo(gettext("%(name)s hadde ingen andre roller og er fjernet og logget ut på alle telefoner.",
                           name=user.name))
    else:
        click.echo(gettext("%(name)s har nå rollene: %(roles)s.", name=user.name, roles=_roles(user)))


def _roles(user: User) -> str:
    return ", ".join(f"{m.role.value} ({m.branch.name if m.branch else user.organisation.name})"
                     for m in sorted(user.memberships, key=lambda m: m.sort_key))


def _organisation(name: str) -> Organisation:
    """The organisation an operator names, spelt as they like: names are compared as `org create` compares them."""
    org = db.session.scalar(select(Organisation).where(Organisation.name_key == name_key(name)))
    if org is None:
        raise click.ClickException(gettext("Fant ikke organisasjonen %(name)s.", name=name))
    return org


@counts_cli.command("rebuild-answers")
def rebuild_answers_command():
    """Tell opp svarene på spørsmålene på nytt fra de lagrede svarene (reparasjon; tallene holdes ellers à jour)."""
    rows = answer_counts.rebuild()
    db.session.commit()
    click.echo(gettext("Svartellingene er bygd opp på nytt fra de lagrede svarene: %(rows)s rader.", rows=rows))


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Bare tell hva som ville blitt slettet.")
def purge_command(dry_run):
    """Slett alt som har passert lagringstiden (kjøres hver natt, se docs/deploy.md)."""
    done = retention.purge(utcnow(), dry_run=dry_run)
    for purged in done:
        click.echo(f"{gettext(purged.rule.what)}: {purged.count}")
    total = sum(p.count for p in done)
    click.echo(gettext("Ville slettet %(count)s.", count=total) if dry_run
               else gettext("Slettet %(count)s.", count=total))


def _subject_options(command):
    for option in (
        click.option("--organisation", required=True, help="Organisasjonens navn, f.eks. Oslo."),
        click.option("--phone", help="Mobilnummeret personen oppga."),
        click.option("--email", help="E-postadressen personen oppga."),
        click.option("--name", help="Navnet personen oppga (fullt navn)."),
    ):
        command = option(command)
    return command


def _query(organisation, phone, email, name) -> tuple[subject.Query, Organisation]:
    query = subject.Query.of(phone, email, name)
    if query.empty:
        raise click.ClickException(gettext("Oppgi mobilnummer eller e-post."))
    return query, _organisation(organisation)


@privacy_cli.command("export")
@_subject_options
def export_command(organisation, phone, email, name):
    """Innsyn (art. 15): alt som er lagret om et mobilnummer eller en e-postadresse, som JSON."""
    query, org = _query(organisation, phone, email, name)
    exported = handover.export_subject(None, org.id, query)
    click.echo(json.dumps(exported, ensure_ascii=False, indent=2))


@privacy_cli.command("erase")
@_subject_options
@click.option("--yes", is_flag=True, help="Slett uten å spørre.")
def erase_command(organisation, phone, email, name, yes):
    """Sletting (art. 17): personen forsvinner, tellingene i komiteenes tall blir stående."""
    query, org = _query(organisation, phone, email, name)
    found = handover.find(None, org.id, query, audit.ERASE)
    click.echo(
        gettext(
            "Fant %(contacts)s kontakter, %(accounts)s brukere og %(inputs)s innspill som nevner personen.",
            contacts=len(found.contacts),
            accounts=len(found.accounts),
            inputs=len(found.conversations),
        )
    )
    if not found.count:
        return
    if not yes:
        click.confirm(gettext("Slette alt dette?"), abort=True)
    erased = handover.erase_subject(None, found, org.id)
    click.echo(
        gettext(
            "Slettet %(contacts)s kontakter, anonymiserte %(accounts)s brukere og maskerte %(inputs)s innspill.",
            contacts=erased.contacts,
            accounts=erased.accounts,
            inputs=erased.conversations,
        )
    )


@backup_cli.command("create")
@click.argument("target", type=click.Path(path_type=Path))
def backup_create(target):
    """Ta sikkerhetskopi av databasen til TARGET (trygt mens appen kjører)."""
    backup.create(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    click.echo(
        gettext(
            "Sikkerhetskopi skrevet til %(path)s (%(size)s kB).",
            path=target,
            size=format_number(target.stat().st_size // 1024),
        )
    )


@backup_cli.command("restore", needs_schema=False)
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Gjenopprett uten å spørre.")
def backup_restore(source, yes):
    """Erstatt alt i databasen med sikkerhetskopien SOURCE. Stopp appen først."""
    if not yes:
        click.confirm(
            gettext("Alt i databasen erstattes med innholdet i %(path)s. Fortsette?", path=source), abort=True
        )
    db.session.remove()
    db.engine.dispose()
    backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    click.echo(gettext("Gjenopprettet fra %(path)s.", path=source))
    # A backup can hold personal data the purge has deleted since it was taken: delete it again.
    purged = sum(p.count for p in retention.purge(utcnow()))
    click.echo(gettext("Slettet %(count)s som har passert lagringstiden siden kopien ble tatt.", count=purged))


def _external(endpoint: str, **values) -> str:
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


@org_cli.command("create")
@click.option("--name", required=True, help="Organisasjonens navn, f.eks. «Elverum SV».")
@click.option("--party", help="Partiet, fritt skrevet, f.eks. «SV».")
@click.option("--kommune", "kommunenummer", multiple=True, required=True,
              help="Kommunenummer (2024), f.eks. 3420. Gjenta for flere kommuner.")
@click.option("--admin-email", required=True, help="E-postadressen til den første administratoren.")
@click.option("--admin-name", required=True, help="Navnet til den første administratoren.")
def org_create(name, party, kommunenummer, admin_email, admin_name):
    """Opprett en organisasjon med kommunene sine og den første administratoren.

    Skriver ut en engangslenke der administratoren velger passord; tofaktor settes opp ved første innlogging."""
    created = organisations.create(name, kommunenummer, admin_name, admin_email, party=party, commit=False)
    hours = current_app.config["PASSWORD_LINK_HOURS"]
    token = logins.issue_password_link(created.admin, timedelta(hours=hours))
    audit.log(None, audit.LOGIN_LINK, f"passordlenke for ny administrator {created.admin.id}",
              organisation_id=created.organisation.id)
    db.session.commit()
    places = ", ".join(kommuner.get(n).label for n in created.organisation.kommunenummer)
    click.echo(gettext("Opprettet %(name)s (%(kommuner)s) med administrator %(admin)s <%(email)s>.",
                       name=created.organisation.name, kommuner=places, admin=created.admin.name,
                       email=created.admin.email))
    click.echo(gettext("Engangslenke der %(admin)s velger passord (virker i %(hours)s timer):",
                       admin=created.admin.name, hours=hours))
    click.echo(_external("auth.set_password", token=token))
    click.echo(gettext("Hent geodata for kommunene: flask --app canvass geodata download --kommune %(number)s",
                       number=created.organisation.kommunenummer[0]))


@org_cli.command("kommuner")
@click.argument("organisation")
@click.option("--add", "added", multiple=True, help="Kommunenummer å legge til (kan gjentas).")
@click.option("--remove", "removed", multiple=True, help="Kommunenummer å ta bort (kan gjentas).")
def org_kommuner(organisation, added, removed):
    """Vis eller endre kommunene til ORGANISATION."""
    org = _organisation(organisation)
    if added or removed:
        wanted = (set(org.kommunenummer) | {a.strip() for a in added}) - {r.strip() for r in removed}
        change = organisations.set_kommuner(org, wanted)
        for number in change.added:
            click.echo(gettext("La til %(kommune)s.", kommune=kommuner.get(number).label))
        for number in change.removed:
            click.echo(gettext("Tok bort %(kommune)s.", kommune=kommuner.get(number).label))
        for number in change.without_geodata:
            click.echo(gettext("Ingen postnumre for %(kommune)s ennå: flask --app canvass geodata download "
                               "--kommune %(number)s", kommune=kommuner.get(number).label, number=number))
    for number in org.kommunenummer:
        known = kommuner.get(number)
        click.echo(known.label if known else number)


@setup_cli.command("code")
@click.option("--if-open", is_flag=True, help="Si ingenting om Canvass allerede er satt opp (for `make run`).")
def setup_code(if_open):
    """Skriv ut en ny engangskode for oppsett på nettsiden (den forrige slutter å virke)."""
    code = organisations.new_setup_code()
    if code is None and if_open:
        return
    if code is None:
        raise click.ClickException(gettext("Canvass er allerede satt opp: det finnes en organisasjon. Opprett flere "
                                           "med «flask --app canvass org create»."))
    from canvass.web.setup import setup_banner

    click.echo(setup_banner(code))
