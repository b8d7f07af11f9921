"""sitemap.xml: the published pages of every resource registered with a
sitemap (registry.in_sitemap())."""

from django.contrib.sitemaps import Sitemap

from kbframework.registry import registry


class PublishedSitemap(Sitemap):
    model = None
    changefreq = "monthly"

    def items(self):
        # What the public may see: published, and depending on nothing that
        # is not (kbframework.visibility).
        records = self.model.objects.restrict(None)
        url_fields = getattr(self.model, "url_fields", ("slug",))
        return records.only(*url_fields, "updated").order_by("slug")

    def lastmod(self, record):
        return record.updated


def build_sitemaps() -> dict[str, type[Sitemap]]:
    return {
        resource.api_prefix: type(
            f"{resource.model.__name__}Sitemap",
            (PublishedSitemap,),
            {"model": resource.model},
        )
        for resource in registry.in_sitemap()
    }
