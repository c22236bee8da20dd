"""Engine tests run without a database or Django: plain pytest on fixture knowledge bases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from passage.routes import KnowledgeBase, Profile, load_knowledge, load_profile

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "profiles"


@pytest.fixture(scope="session")
def mini() -> KnowledgeBase:
    return load_knowledge(FIXTURES / "mini", today=date(2026, 11, 24))


@pytest.fixture(scope="session")
def shipped() -> KnowledgeBase:
    return load_knowledge(today=date(2026, 11, 24))


@pytest.fixture
def deserter(mini: KnowledgeBase) -> Profile:
    return load_profile(FIXTURES / "deserter.yaml", mini)
