"""sitemap.xml: the published pages only."""

from django.contrib.sitemaps import Sitemap

from diseases.models import Disease, Mechanism, Symptom
from treatments.models import Drug, DrugClass


class PublishedSitemap(Sitemap):
    model = None
    changefreq = "monthly"

    def items(self):
        return self.model.objects.published().only("slug", "updated").order_by("slug")

    def lastmod(self, record):
        return record.updated


SITEMAPS = {
    name: type(f"{model.__name__}Sitemap", (PublishedSitemap,), {"model": model})
    for name, model in (
        ("diseases", Disease),
        ("symptoms", Symptom),
        ("mechanisms", Mechanism),
        ("drug-classes", DrugClass),
        ("drugs", Drug),
    )
}
