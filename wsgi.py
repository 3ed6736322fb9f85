"""WSGI entry point: ``flask --app wsgi run`` (development) or ``gunicorn -c gunicorn.conf.py``."""

from advisor import create_app

app = create_app()
