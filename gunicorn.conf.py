"""gunicorn settings, read from the project folder (make serve, containers).

Before any worker starts, `manage.py check --deploy` runs: an error there
(static files not collected, a weak DJANGO_SECRET_KEY, ...) would make every
page a 500 or the site unsafe, so gunicorn refuses to start and says why.
"""

import os
import sys


def on_starting(server):
    if not str(getattr(server.app, "app_uri", "")).startswith("imidkb."):
        return  # another application served from this folder (bench/bare.py)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imidkb.settings")
    import django
    from django.core import checks

    django.setup()
    errors = [
        message
        for message in checks.run_checks(include_deployment_checks=True)
        if message.is_serious() and not message.is_silenced()
    ]
    if errors:
        lines = "\n".join(f"  {message}" for message in errors)
        sys.exit(f"IMID-KB cannot start: manage.py check --deploy found\n{lines}")
