"""The WSGI application gunicorn serves (precedentum.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "precedentum.settings")
application = get_wsgi_application()
