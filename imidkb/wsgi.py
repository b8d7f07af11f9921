"""WSGI entry point (gunicorn imidkb.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imidkb.settings")

application = get_wsgi_application()
