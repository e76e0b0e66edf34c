"""Settings read from the environment, with defaults that let `make run` work on a laptop."""
import os
import secrets
from pathlib import Path

from canvass.geo.tiles import KARTVERKET, KARTVERKET_LAYERS

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The default is translated on the map (canvass/services/geography/attribution.py); the data credits follow what
# is loaded.
BASEMAP_ATTRIBUTION = "Bakgrunnskart: © Kartverket (CC BY 4.0)"


def _secret_key(instance_path: Path) -> str:
    """A stable key so sessions and remember-me cookies survive a restart."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def from_environment(instance_path: Path) -> dict:
    sqlite_path = instance_path / "canvass.sqlite"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        "GEODATA_DIR": Path(os.environ.get("CANVASS_GEODATA", PROJECT_ROOT.parent / "shared" / "geodata")),
        "DOWNLOAD_DIR": Path(os.environ.get("CANVASS_DOWNLOADS", PROJECT_ROOT / "geodata" / "downloads")),
        "GEONORGE_BASE_URL": os.environ.get("CANVASS_GEONORGE_URL", "https://nedlasting.geonorge.no/geonorge"),
        # Basemap tiles reach phones through our own route (canvass/web/tiles.py), which fetches them from
        # this template ({layer}, {z}, {x}, {y}) and keeps them on disk; empty turns the basemap off.
        "TILE_UPSTREAM": os.environ.get("CANVASS_TILE_UPSTREAM", KARTVERKET),
        # The layer the maps show (Kartverket: topograatone is grey, quiet under coloured turf; topo is
        # in colour); the route serves only the layers listed.
        "TILE_LAYER": os.environ.get("CANVASS_TILE_LAYER", KARTVERKET_LAYERS[0]),
        "TILE_LAYERS": tuple(filter(None, os.environ.get("CANVASS_TILE_LAYERS",
                                                         ",".join(KARTVERKET_LAYERS)).split(","))),
        "TILE_MAX_ZOOM": 18,
        "TILE_CACHE_DIR": Path(os.environ.get("CANVASS_TILE_CACHE", instance_path / "tiles")),
        "TILE_CACHE_MB": int(os.environ.get("CANVASS_TILE_CACHE_MB", "500")),
        "TILE_CACHE_DAYS": int(os.environ.get("CANVASS_TILE_CACHE_DAYS", "30")),
        "TILE_TIMEOUT_SECONDS": float(os.environ.get("CANVASS_TILE_TIMEOUT", "10")),
        "TILE_ATTRIBUTION": os.environ.get("CANVASS_TILE_ATTRIBUTION", BASEMAP_ATTRIBUTION),
        # "Last ned roden" keeps the tiles over the turf at the zooms a walker uses, at most this many.
        "TILE_DOWNLOAD_ZOOMS": (15, 16, 17, 18),
        "TILE_DOWNLOAD_LIMIT": int(os.environ.get("CANVASS_TILE_DOWNLOAD_LIMIT", "400")),
        # Tiles fetched from the provider per person: two turf downloads an hour and a coordinator's panning.
        "TILE_FETCH_LIMIT": os.environ.get("CANVASS_TILE_FETCH_LIMIT", "1200 per hour"),
        # The job queue (canvass/queue.py): a SQLite file by default, redis://host:6379/0 for several app servers.
        "QUEUE_URL": os.environ.get("CANVASS_QUEUE_URL", f"sqlite:///{instance_path / 'queue.sqlite'}"),
        # Uploaded files wait here, one folder per job, until their job has finished. With several app
        # servers it must be a folder they all share with the consumers.
        "JOB_FILES": Path(os.environ.get("CANVASS_JOB_FILES", instance_path / "jobs")),
        # A consumer marks each running job alive this often; a job not marked for JOB_STALE_SECONDS is
        # taken to have lost its consumer (killed, machine gone) and is put on the queue again.
        "JOB_HEARTBEAT_SECONDS": float(os.environ.get("CANVASS_JOB_HEARTBEAT_SECONDS", "5")),
        "JOB_STALE_SECONDS": float(os.environ.get("CANVASS_JOB_STALE_SECONDS", "30")),
        # A job whose consumer died this many times is failed, not run again (a file that kills its reader).
        "JOB_MAX_ATTEMPTS": int(os.environ.get("CANVASS_JOB_MAX_ATTEMPTS", "3")),
        # An upload job stops before its next file once it has run this long, so it cannot hold the queue.
        "JOB_TIME_LIMIT_SECONDS": float(os.environ.get("CANVASS_JOB_TIME_LIMIT_SECONDS", "900")),
        # Each uploaded map layer is read in a child process with these limits (CPU seconds, address space).
        "GEODATA_UPLOAD_CPU_SECONDS": int(os.environ.get("CANVASS_GEODATA_UPLOAD_CPU_SECONDS", "120")),
        "GEODATA_UPLOAD_MEMORY_MB": int(os.environ.get("CANVASS_GEODATA_UPLOAD_MEMORY_MB", "2048")),
        # Request sizes (canvass/web/limits.py). Every page and API takes at most 1 MB, form fields 500 kB;
        # the few views that need more name their own cap.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 500 * 1024,
        # The largest honest sync request: 50 events (static/sw.js) of at most 34 kB each (docs/sync.md).
        "SYNC_MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Geodata files uploaded by an admin (Matrikkelen for a large kommune runs to tens of MB).
        "GEODATA_MAX_UPLOAD": int(os.environ.get("CANVASS_GEODATA_MAX_UPLOAD_MB", "200")) * 1024 * 1024,
        # Long enough for an evening of canvassing; offline records never need it (docs/sync.md).
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("CANVASS_HTTPS") == "1",
        "REMEMBER_COOKIE_SECURE": os.environ.get("CANVASS_HTTPS") == "1",
        "BEHIND_PROXY": os.environ.get("CANVASS_BEHIND_PROXY") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 365,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "INVITE_DAYS": 30,
        # Where people reach this server, for links printed on the command line (a new admin's password link).
        "PUBLIC_URL": os.environ.get("CANVASS_PUBLIC_URL", "http://127.0.0.1:5000"),
        # A new admin's password link from `org create` is sent by hand and may wait over a weekend.
        "PASSWORD_LINK_HOURS": 72,
        # A personal login link is given face to face or by text message and used at once.
        "LOGIN_LINK_HOURS": 24,
        # Admins and coordinators log in with a code from an authenticator app too, and again after two
        # weeks: a lost laptop does not keep its way into residents' contact details for a year.
        "TWO_FACTOR": os.environ.get("CANVASS_TWO_FACTOR", "1") != "0",
        "TWO_FACTOR_REMEMBER_DAYS": 14,
        # database:// counts in the app's database, which every gunicorn worker and app server shares
        # (canvass/ratelimit.py); redis://host:6379 where Redis runs. Never memory://: it counts per worker.
        "RATELIMIT_STORAGE_URI": os.environ.get("CANVASS_RATELIMIT_STORAGE", "database://"),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT": "10 per minute; 50 per hour",
        "INVITE_LIMIT": "30 per minute; 300 per hour",
        "BABEL_DEFAULT_LOCALE": "nb",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Oslo",
        "LANGUAGES": {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"},
    }
