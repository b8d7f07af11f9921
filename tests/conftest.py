import pytest
from django.db import connection

from imidkb.kb import load_kb


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests when the suite runs on another database."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs DATABASE_URL pointing at PostgreSQL")
    for item in items:
        if "requires_postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def kb(db):
    """The curated knowledge base, loaded from fixtures/."""
    return load_kb()


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin", email="admin@example.org", password="correct-horse-battery"
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
