"""What the framework itself registers: sources and citations, and the
editorial groups (Editors, Reviewers) with their permissions."""

from django.contrib.auth.models import Group

from kbframework.api.sources import SourceViewSet
from kbframework.models import Citation, Source
from kbframework.registry import registry

registry.fixture_file("sources.json", order=10, models=[Source, Citation])
# Loaded last: the groups name permissions of every app's models.
registry.fixture_file("groups.json", order=90, models=[Group])

registry.resource(
    Source, position=90, api_prefix="sources", viewset=SourceViewSet, released=True
)
