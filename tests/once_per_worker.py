"""Work that every test's fresh app would repeat, done once per test process instead.

Each test gets an app of its own (`make_app`), and building one used to cost more than most tests:
Werkzeug compiles a URL builder for each of the ~330 routes with `ast` and `compile()`, and Jinja
compiles every template a test renders again. Both are pure functions of their input, so a test
process keeps what it compiled and hands it to the next app. Nothing here is shared between xdist
workers or reaches the database: each test still starts from its own app and its own database.
"""
import sqlite3

from argon2 import PasswordHasher
from jinja2 import BytecodeCache
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.util import LRUCache
from werkzeug.routing.rules import Rule

_build_rule_builder = Rule._compile_builder
_rule_builders: dict = {}


def _reused_rule_builder(self: Rule, append_unknown: bool = True):
    """Werkzeug's builder for this rule, compiled once per process.

    The builder's code depends only on the rule's parsed parts and defaults (it reaches the converters
    through the rule it is bound to), so a rule of the same shape in the next test's app gets the same
    function, bound to its own rule by `Rule.compile`."""
    key = (append_unknown, self.rule, tuple(self._trace),
           tuple(sorted((name, repr(value)) for name, value in (self.defaults or {}).items())))
    builder = _rule_builders.get(key)
    if builder is None:
        builder = _rule_builders[key] = _build_rule_builder(self, append_unknown)
    return builder


class TemplateBytecode(BytecodeCache):
    """Compiled templates kept in memory for every app in this process; Jinja checks each entry against the
    template's source, so a changed template is compiled again."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = TemplateBytecode()

# Argon2 as production configures it takes 64 MiB and tens of milliseconds per password, hundreds of
# times per run (every demo login, every account a test makes). The tests check who gets in, not how
# hard a stolen hash is to crack: the same argon2id with the smallest cost verifies the same way.
QUICK_PASSWORDS = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _sqlite_without_fsync(connection, _record) -> None:
    """Test databases are thrown away, as the PostgreSQL cluster's are (fsync=off): no SQLite commit waits
    for the disk. Transactions, locks and constraints work as before."""
    if isinstance(connection, sqlite3.Connection):
        connection.execute("PRAGMA synchronous = OFF")


class CompiledStatements:
    """SQLAlchemy's compiled statements, kept for every app in this process.

    SQLAlchemy keeps what it compiled in its engine, keyed by the engine's own dialect object, so each test's fresh
    engine compiled every statement it ran again: a tenth of a test's CPU. A statement compiles the same for every
    engine of one backend and server in a run, so here the dialect in the key is the first one seen of the same
    kind and server version. The cache is SQLAlchemy's own LRU, so at most `SIZE` statements stay."""

    SIZE = 5000

    def __init__(self):
        self.compiled = LRUCache(self.SIZE)
        self.dialects: dict = {}

    def _key(self, key: tuple) -> tuple:
        dialect = key[0]
        return (self.dialects.setdefault((type(dialect), dialect.server_version_info), dialect), *key[1:])

    def get(self, key, default=None):
        return self.compiled.get(self._key(key), default)

    def __setitem__(self, key, value) -> None:
        self.compiled[self._key(key)] = value

    def __len__(self) -> int:
        return len(self.compiled)

    def clear(self) -> None:
        self.compiled.clear()


STATEMENTS = CompiledStatements()


def install():
    Rule._compile_builder = _reused_rule_builder
    event.listen(Engine, "connect", _sqlite_without_fsync)
