"""The ORM mapping (afrobiz.db.all_models) matches the database the migrations build."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import time
from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, inspect, pool, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import selectinload, undefer

import afrobiz.db.all_models as models
from afrobiz.db import migrate
from afrobiz.db.base import Base
from afrobiz.db.session import make_engine, make_sessionmaker, set_identity
from afrobiz.db.urls import async_url

SERVER = "postgresql://postgres@127.0.0.1:5432"
DIALECT = postgresql.dialect()
MAPPED_TABLES = sorted(Base.metadata.tables)


@pytest.fixture(scope="module")
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database built by the migrations, dropped when the module is done."""
    name = f"afrobiz_models_{secrets.token_hex(6)}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    request.addfinalizer(drop)
    url = f"{SERVER}/{name}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
def engine(db_url: str) -> Iterator[Engine]:
    """A plain synchronous engine as the owning user (no RLS role), for reflection."""
    eng = create_engine(async_url(db_url), poolclass=pool.NullPool)
    yield eng
    eng.dispose()


def type_sql(type_: object) -> str:
    return type_.compile(dialect=DIALECT)  # type: ignore[attr-defined]


def column_problems(table_name: str, mapped: object, db_columns: list[dict]) -> list[str]:
    problems = []
    db_by_name = {c["name"]: c for c in db_columns}
    for col in mapped.columns:  # type: ignore[attr-defined]
        db = db_by_name.get(col.name)
        where = f"{table_name}.{col.name}"
        if db is None:
            problems.append(f"{where}: mapped but not in the database")
            continue
        if type_sql(col.type) != type_sql(db["type"]):
            problems.append(f"{where}: mapped {type_sql(col.type)}, database {type_sql(db['type'])}")
        mapped_enums = getattr(col.type, "enums", None)
        if mapped_enums is not None and list(mapped_enums) != list(getattr(db["type"], "enums", [])):
            problems.append(f"{where}: enum values {mapped_enums} != {db['type'].enums}")
        if col.nullable != db["nullable"]:
            problems.append(f"{where}: mapped nullable={col.nullable}, database nullable={db['nullable']}")
        if (col.server_default is not None) != (db["default"] is not None):
            problems.append(f"{where}: server_default {col.server_default!r} vs database {db['default']!r}")
    unmapped = set(db_by_name) - {c.name for c in mapped.columns}  # type: ignore[attr-defined]
    problems += [f"{table_name}.{name}: in the database but not mapped" for name in sorted(unmapped)]
    return problems


def test_every_database_table_is_mapped(engine: Engine) -> None:
    with engine.connect() as conn:
        db_tables = set(conn.scalars(text(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            " AND relkind IN ('r', 'p') AND NOT relispartition"
            " AND relname NOT IN ('alembic_version', 'alembic_repeatable')"   # the migrations' own
        )))
    assert db_tables == set(MAPPED_TABLES), (
        f"not mapped: {sorted(db_tables - set(MAPPED_TABLES))}; "
        f"not in the database: {sorted(set(MAPPED_TABLES) - db_tables)}"
    )


@pytest.mark.parametrize("table_name", MAPPED_TABLES)
def test_mapped_table_matches_database(engine: Engine, table_name: str) -> None:
    insp = inspect(engine)
    assert insp.has_table(table_name), f"{table_name} is mapped but not in the database"
    table = Base.metadata.tables[table_name]
    problems = column_problems(table_name, table, insp.get_columns(table_name))

    db_pk = insp.get_pk_constraint(table_name)["constrained_columns"]
    if sorted(db_pk) != sorted(c.name for c in table.primary_key):
        problems.append(f"{table_name}: primary key {db_pk} != mapped {[c.name for c in table.primary_key]}")

    def fk_key(cols, ref_table, ref_cols, ondelete):  # noqa: ANN001, ANN202
        return (tuple(cols), ref_table, tuple(ref_cols), (ondelete or "NO ACTION").upper())

    db_fks = {
        fk_key(fk["constrained_columns"], fk["referred_table"], fk["referred_columns"],
               fk["options"].get("ondelete"))
        for fk in insp.get_foreign_keys(table_name)
    }
    mapped_fks = {
        fk_key([e.parent.name for e in fk.elements], fk.referred_table.name,
               [e.column.name for e in fk.elements], fk.ondelete)
        for fk in table.foreign_key_constraints
    }
    if db_fks != mapped_fks:
        problems.append(f"{table_name}: foreign keys, database only {db_fks - mapped_fks}, "
                        f"mapped only {mapped_fks - db_fks}")
    assert not problems, "\n".join(problems)


def test_monthly_stats_view_is_mapped_read_only(engine: Engine) -> None:
    view = models.business_stats_monthly
    assert view.name not in Base.metadata.tables, "a materialized view must not be created as a table"
    insp = inspect(engine)
    assert view.name in insp.get_materialized_view_names()
    problems = [p for p in column_problems(view.name, view, insp.get_columns(view.name))
                if "nullable" not in p and "server_default" not in p]  # views report every column nullable
    assert not problems, "\n".join(problems)
    # The mapped primary key is real: the unique index REFRESH ... CONCURRENTLY needs.
    unique = [ix["column_names"] for ix in insp.get_indexes(view.name) if ix["unique"]]
    assert [c.name for c in view.primary_key] in unique


async def test_orm_round_trip(db_url: str) -> None:
    """Insert through the ORM as the app role (RLS on), read back with selectinload."""
    tag = secrets.token_hex(4)
    engine = make_engine(db_url, pool_size=1)
    sessionmaker = make_sessionmaker(engine)
    try:
        async with sessionmaker() as session, session.begin():
            await set_identity(session, None, "system")
            owner = models.User(email=f"Owner.{tag}@Example.NA", first_name="Ndapewa", last_name="Shikongo")
            category = models.Category(name="Restaurants", slug=f"restaurants-{tag}")
            session.add_all([owner, category])
            await session.flush()
            business = models.Business(
                owner_id=owner.id,
                category_id=category.id,
                name="Kapana Corner",
                slug=f"kapana-corner-{tag}",
                city="Windhoek",
                region="Khomas",
                latitude=Decimal("-22.55941234"),
                longitude=Decimal("17.08323456"),
                keywords=["braai", "street food"],
                hours=[models.BusinessHours(day_of_week=1, open_time=time(8), close_time=time(17, 30))],
            )
            session.add(business)
            await session.flush()
            # Server defaults come back with the INSERT (eager defaults): no lazy load needed.
            assert business.status is models.BusinessStatus.PENDING
            assert business.average_rating == Decimal("0.00") and business.settings == {}
            assert owner.role is models.UserRole.CUSTOMER
            created = business.updated_at
            business.description = "Grilled meat by the market"
            await session.flush()
            assert business.updated_at >= created  # re-read with the UPDATE's RETURNING
            with pytest.raises(AttributeError, match="trigger"):
                business.search_document = "'x':1"
            session.add(models.AuditLog(action="business.create", table_name="businesses",
                                        record_id=business.id, new_values={"name": business.name}))
            await session.flush()  # created_at is part of the primary key and filled by the server

        async with sessionmaker() as session, session.begin():
            await set_identity(session, None, "system")
            got = (await session.scalars(
                select(models.Business)
                .where(models.Business.id == business.id)
                .options(selectinload(models.Business.hours), undefer(models.Business.search_document))
            )).one()
            assert got.latitude == Decimal("-22.55941234") and isinstance(got.latitude, Decimal)
            assert got.longitude == Decimal("17.08323456")
            assert got.status == "pending" and got.status is models.BusinessStatus.PENDING
            assert got.price_range is models.PriceRange.MODERATE
            assert got.keywords == ["braai", "street food"]
            assert got.search_document and "'kapana':1a" in got.search_document.lower()
            assert "restaur" in got.search_document and "grill" in got.search_document
            assert [(h.day_of_week, h.open_time, h.close_time) for h in got.hours] == [
                (1, time(8), time(17, 30))
            ]
            fetched_owner = await session.get(models.User, owner.id)
            assert fetched_owner is not None and fetched_owner.email == f"Owner.{tag}@Example.NA"
            assert (await session.scalar(
                select(models.User.id).where(models.User.email == f"owner.{tag}@example.na")
            )) == owner.id  # citext: case-insensitive
            assert (await session.scalars(select(models.BusinessStatsMonthly))).all() == []

        async with sessionmaker() as session:
            session.add(models.BusinessStatsMonthly(business_id=business.id, month=got.created_at.date()))
            with pytest.raises(TypeError, match="read-only"):
                await session.flush()
            await session.rollback()
    finally:
        await engine.dispose()
