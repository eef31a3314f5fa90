import pytest
from factories.search import create_world


@pytest.fixture
async def world(db):
    return await create_world(db)


@pytest.fixture
def search(client):
    """search(**params) -> the JSON of GET /api/v1/search/businesses (asserting 200)."""
    async def _search(headers=None, **params):
        r = await client.get("/api/v1/search/businesses", params=params, headers=headers or {})
        assert r.status_code == 200, r.text
        return r.json()
    return _search
