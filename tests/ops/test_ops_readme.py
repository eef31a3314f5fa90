"""The deployment guide names every setting the app reads."""
from __future__ import annotations

from pathlib import Path

from afrobiz.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_deployment_guide_lists_every_environment_variable():
    guide = README.read_text().split("## Deploying (production)", 1)[1].split("\n## ", 1)[0]
    missing = [f"AFROBIZ_{name.upper()}" for name in Settings.model_fields
               if f"AFROBIZ_{name.upper()}" not in guide]
    assert not missing, f"README's deployment guide does not mention {missing}"
