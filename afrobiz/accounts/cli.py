"""`afrobiz admin create --email E`: the first admin (password from AFROBIZ_ADMIN_PASSWORD or a prompt).

Mounted by afrobiz/cli.py with `app.add_typer(admin_app, name="admin")`.
"""
from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer

admin_app = typer.Typer(help="Administrator accounts.", no_args_is_help=True)


async def create_admin_in(url: str, *, email: str, password: str, first_name: str, last_name: str) -> str:
    """Create (or promote) the admin in the database at url; returns the user id."""
    from afrobiz.accounts.service import create_admin
    from afrobiz.db.session import make_engine, make_sessionmaker, system_session

    engine = make_engine(url, pool_size=1)
    try:
        async with system_session(make_sessionmaker(engine)) as session:
            user = await create_admin(session, email=email, password=password, first_name=first_name,
                                      last_name=last_name)
            return str(user.id)
    finally:
        await engine.dispose()


@admin_app.command("create")
def create(email: Annotated[str, typer.Option(help="the admin's e-mail address")],
           first_name: Annotated[str, typer.Option(help="first name")] = "Admin",
           last_name: Annotated[str, typer.Option(help="last name")] = "User") -> None:
    """Create an admin account, or make an existing account an admin."""
    from afrobiz.config import get_settings
    from afrobiz.db import migrate
    from afrobiz.db.runtime import database_url
    from afrobiz.errors import DomainError

    password = os.environ.get("AFROBIZ_ADMIN_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    with database_url(get_settings()) as url:
        migrate.upgrade(url)
        try:
            user_id = asyncio.run(create_admin_in(url, email=email, password=password, first_name=first_name,
                                                  last_name=last_name))
        except DomainError as exc:
            typer.echo(f"Refused: {exc.detail}", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"Admin {email} ready (id {user_id}).")
