"""Storage: accounts, people, recordings, analyses, observations and plans.

SQLAlchemy 2 models (:mod:`.models`), the engine and migrations (:mod:`.db`),
account-scoped repositories (:mod:`.repositories`) and the services the web app,
the REST API and the CLI share (:mod:`.services`).
"""
