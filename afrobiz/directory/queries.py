"""Reads of the directory (no rules, no writes)."""
from __future__ import annotations

from dataclasses import dataclass, field
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.directory.models import Category


@dataclass
class CategoryNode:
    id: uuid.UUID
    name: str
    slug: str
    icon: str | None
    color: str | None
    description: str | None
    children: list["CategoryNode"] = field(default_factory=list)


async def category_tree(session: AsyncSession) -> list[CategoryNode]:
    """Active categories as a tree (parents in sort order, each with its children)."""
    rows = (await session.scalars(
        select(Category).where(Category.is_active).order_by(Category.sort_order, Category.name)
    )).all()
    nodes = {c.id: CategoryNode(c.id, c.name, c.slug, c.icon, c.color, c.description) for c in rows}
    roots: list[CategoryNode] = []
    for c in rows:
        if c.parent_id is None:
            roots.append(nodes[c.id])
        elif c.parent_id in nodes:  # a child of an inactive parent is hidden with it
            nodes[c.parent_id].children.append(nodes[c.id])
    return roots
