"""The local web app and REST API (FastAPI): :func:`retrowalk.web.app.create_app`."""
