"""Download the official datasets for a municipality from Geonorge, unpack them and import them."""
import tomllib
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from canvass.config import PROJECT_ROOT
from canvass.geo.errors import N_, GeodataError

CATALOGUE = PROJECT_ROOT / "geodata" / "catalogue.toml"
BLOCK = 1 << 20


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    url: str
    attribution: str


def catalogue() -> dict:
    with open(CATALOGUE, "rb") as f:
        return tomllib.load(f)


def file_name(kommunenavn: str) -> str:
    """Geonorge spells municipality names in ASCII: Bærum becomes Baerum, Våler Valer."""
    ascii_name = kommunenavn.strip().replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O")
    ascii_name = unicodedata.normalize("NFKD", ascii_name).encode("ascii", "ignore").decode()
    return "_".join(part.capitalize() if part.isupper() else part for part in ascii_name.split())


def datasets(base_url: str, kommunenummer: str, kommunenavn: str) -> list[Dataset]:
    return [Dataset(key, entry["title"],
                    entry["url"].format(base=base_url.rstrip("/"), kommunenummer=kommunenummer,
                                        kommunenavn=file_name(kommunenavn)),
                    entry["attribution"])
            for key, entry in catalogue().items() if entry.get("download")]


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
        raise GeodataError(N_("Fikk ikke lastet ned %(title)s (HTTP %(status)s fra %(url)s)."),
                           title=dataset.title, status=exc.code, url=dataset.url) from exc
    except (urllib.error.URLError, TimeoutError) as exc:
        partial.unlink(missing_ok=True)
        raise GeodataError(N_("Fikk ikke kontakt med %(url)s (%(reason)s)."),
                           url=dataset.url, reason=str(getattr(exc, "reason", exc))) from exc
    partial.replace(target)
    return [target]
