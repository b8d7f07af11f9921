"""WSGI entry point (gunicorn imidkb.wsgi:application).

Django's application behind the public response cache (imidkb.response_cache):
anonymous readers' repeats are answered there, everything else by Django;
around both, every request gets an id (X-Request-ID, named in the logs).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imidkb.settings")

django_application = get_wsgi_application()

from imidkb.middleware import RequestId  # noqa: E402 (after setup)
from imidkb.response_cache import PublicResponseCache  # noqa: E402
from kbframework import readmodel  # noqa: E402

if readmodel.enabled():
    readmodel.code_version()  # read once, before the first request

application = RequestId(PublicResponseCache(django_application))
