"""Download the official datasets for a municipality from Geonorge; the import unpacks and reads them.

Postal areas come per kommune as GML when Geonorge has that file, else from the national file,
of which the import keeps only the postal areas with a part in the kommune."""
import logging
import re
import socket
import tomllib
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from canvass.config import PROJECT_ROOT
from canvass.extensions import db
from canvass.geo.errors import GeodataError
from canvass.models import Municipality, PostalArea
from canvass.refusal import N_
from canvass.services.geography import kommuner

log = logging.getLogger(__name__)
CATALOGUE = PROJECT_ROOT / "geodata" / "catalogue.toml"
BLOCK = 1 << 20


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    url: str
    attribution: str
    fallback: str | None = None


@dataclass
class Download:
    """The files fetched for a kommune, and the kommuner whose postal areas to keep (None: all in the files)."""

    paths: list[Path]
    touching: list[str] | None


def catalogue() -> dict:
    with open(CATALOGUE, "rb") as f:
        return tomllib.load(f)


class NotPublished(GeodataError):
    """Geonorge has no such file (HTTP 404)."""


KOMMUNENUMMER = re.compile(r"^\d{4}$")


def file_name(kommunenavn: str) -> str:
    """Geonorge spells municipality names in ASCII: Bærum becomes Baerum, Våler Valer."""
    ascii_name = kommunenavn.strip().replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O")
    ascii_name = unicodedata.normalize("NFKD", ascii_name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9\- ]", "", ascii_name)  # a name typed on a form stays one path segment
    return "_".join(part.capitalize() if part.isupper() else part for part in ascii_name.split())


def known_name(kommunenummer: str) -> str | None:
    """The kommune's name from the municipalities or the postal register when either is loaded, else from the
    kommune list the app ships: a new party's first download comes before any geodata is in the database."""
    listed = kommuner.get(kommunenummer)
    return (db.session.scalar(select(Municipality.name).where(Municipality.kommunenummer == kommunenummer))
            or db.session.scalar(select(PostalArea.kommunenavn).where(PostalArea.kommunenummer == kommunenummer)
                                 .where(PostalArea.kommunenavn.is_not(None)).limit(1))
            or (listed.name if listed else None))


def datasets(base_url: str, kommunenummer: str, kommunenavn: str) -> list[Dataset]:
    if not KOMMUNENUMMER.match(kommunenummer or ""):
        raise GeodataError(N_("Kommunenummeret «%(number)s» er ikke fire sifre."), number=kommunenummer)
    if not file_name(kommunenavn):
        raise GeodataError(N_("Oppgi navnet på kommune %(number)s."), number=kommunenummer)

    def url(pattern: str | None, entry: dict) -> str | None:
        return pattern and pattern.format(base=base_url.rstrip("/"), kommunenummer=kommunenummer,
                                          kommunenavn=file_name(kommunenavn), epsg=entry.get("epsg", 25833))

    return [Dataset(key, entry["title"], url(entry["url"], entry), entry["attribution"],
                    url(entry.get("fallback"), entry))
            for key, entry in catalogue().items() if entry.get("download")]


def download(base_url: str, kommunenummer: str, kommunenavn: str, folder: Path,
             progress: Callable[[Dataset, str], Callable[[int, int], None] | None] | None = None) -> Download:
    """Fetch every dataset of the catalogue for a kommune; a 404 on a dataset with a fallback fetches that.

    `progress(dataset, url)` is told each download before it starts and gives its progress callback."""
    paths, touching = [], None
    for dataset in datasets(base_url, kommunenummer, kommunenavn):
        try:
            paths += fetch(dataset, folder, progress(dataset, dataset.url) if progress else None)
        except NotPublished:
            if not dataset.fallback:
                raise
            fallback = Dataset(dataset.key, dataset.title, dataset.fallback, dataset.attribution)
            paths += fetch(fallback, folder, progress(fallback, fallback.url) if progress else None)
            touching = [kommunenummer]
    return Download(paths, touching)



def fetch(dataset: Dataset, folder: Path, progress: Callable[[int, int], None] | None = None) -> list[Path]:
    """Download one dataset into `folder`; the import unpacks it (geo.sources) like any other file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / dataset.url.rsplit("/", 1)[-1]
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(dataset.url, timeout=60) as response, open(partial, "wb") as out:
            total, done = int(response.headers.get("Content-Length") or 0), 0
            while block := response.read(BLOCK):
                out.write(block)
                done += len(block)
                if progress:
                    progress(done, max(total, done))
    except urllib.error.HTTPError as exc:
        exc.close()
        partial.unlink(missing_ok=True)
        error = NotPublished if exc.code == 404 else GeodataError
        raise error(N_("Fikk ikke lastet ned %(title)s (HTTP %(status)s fra %(url)s)."),
                    title=dataset.title, status=exc.code, url=dataset.url) from exc
    except (urllib.error.URLError, TimeoutError) as exc:
        partial.unlink(missing_ok=True)
        # The system's reason ("[Errno -2] Name or service not known") is for the operator's log, not the page.
        log.warning("download of %s failed: %s", dataset.url, getattr(exc, "reason", exc))
        raise GeodataError(_unreachable(exc), host=urllib.parse.urlsplit(dataset.url).hostname) from exc
    partial.replace(target)
    return [target]


def _unreachable(exc: Exception) -> str:
    """Why the download could not start, said so an admin knows what to do next."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        return N_("Fant ikke %(host)s: serveren er kanskje uten nett. Last ned filene selv fra Geonorge "
                  "og last dem opp her.")
    if isinstance(reason, TimeoutError | socket.timeout):
        return N_("%(host)s svarte ikke innen ett minutt. Prøv igjen senere, eller last ned filene selv "
                  "og last dem opp her.")
    return N_("Fikk ikke kontakt med %(host)s. Prøv igjen senere, eller last ned filene selv og last dem opp her.")
