"""Core statements compiled once and run on the database driver's own cursor.

SQLAlchemy's execution path (an execution context, result metadata, the Session's transaction state) costs about
a tenth of a millisecond per statement before the driver sees it; for the door tap, the app's commonest post, that
was more than the database's own work (docs/benchmarks.md). `Prepared` keeps what SQLAlchemy compiled, the SQL text
in the driver's parameter style, each parameter's bind processor and each column's Python default, and each result
column's processor, so the same statement runs with the same types and defaults, only without the machinery around
it. The statement itself is still written once, in Core.
"""
from dataclasses import dataclass

from sqlalchemy import Insert


@dataclass(frozen=True)
class Prepared:
    sql: str
    names: tuple[str, ...]  # the parameters, in the driver's order
    positional: bool
    fixed: dict  # the values the statement itself holds (a literal compared with), by parameter name
    binds: dict  # parameter name: bind processor
    defaults: dict  # column name: its Python default, for a row that does not give it
    columns: tuple[str, ...]  # the result's columns
    results: tuple  # one result processor (or None) per result column

    @classmethod
    def of(cls, statement, dialect, column_keys: list[str] | None = None) -> "Prepared":
        """`statement` compiled for `dialect`; an INSERT for the columns `column_keys` (and those with a Python
        default)."""
        defaults = {}
        if isinstance(statement, Insert):
            given = set(column_keys or ())
            defaults = {column.key: column.default for column in statement.table.columns
                        if column.key not in given and column.default is not None
                        and (column.default.is_scalar or column.default.is_callable)}
            column_keys = [*given, *defaults]
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        # In the driver's order, or (a named style) each name once as the SQL text has it.
        names = tuple(compiled.positiontup if compiled.positional else dict.fromkeys(compiled.bind_names.values()))
        fixed = {name: value for name, value in compiled.construct_params(_check=False).items() if value is not None}
        binds = {name: processor for name, processor in compiled._bind_processors.items() if processor}
        # (name, key, objects, type) per column, as SQLAlchemy reads a result of this statement.
        result_columns = compiled._result_columns
        results = tuple(column[3].dialect_impl(dialect).result_processor(dialect, None) for column in result_columns)
        return cls(compiled.string, names, compiled.positional, fixed, binds, defaults,
                   tuple(column[0] for column in result_columns), results)

    def parameters(self, values: dict):
        """The driver's parameters for `values` (by column or bind name), defaults filled in and types processed."""
        values = {**self.fixed, **values}
        for key, default in self.defaults.items():
            if key not in values:
                values[key] = default.arg if default.is_scalar else default.arg(None)
        out = {name: self.binds[name](values[name]) if name in self.binds else values[name] for name in self.names}
        return tuple(out[name] for name in self.names) if self.positional else out

    def rows(self, cursor, values: dict) -> list[dict]:
        """Run on `cursor`; every result row as {column: value}, processed as SQLAlchemy would."""
        cursor.execute(self.sql, self.parameters(values))
        if cursor.description is None:
            return []
        return [{name: process(value) if process else value
                 for name, process, value in zip(self.columns, self.results, row, strict=True)}
                for row in cursor.fetchall()]
