"""Use cases: what the command line, the web app and batch do with the layers below.

- :mod:`.analyse`: the one path from a recording file to an Analysis
  (``analyse_file``) and the one place analysis options are built
  (``build_options``, stored direction calibration included);
- :mod:`.calibration`: direction calibration profiles made from a labelled
  walk and stored per person and placement;
- accounts, people, uploads and export (:mod:`.accounts`, :mod:`.uploads`,
  :mod:`.export`, :mod:`.services`); coaching, clinical tests and children's
  logs on stored records (:mod:`.coach`, :mod:`.assess`, :mod:`.kids`); the demo
  recording (:mod:`.demo`);
- :mod:`.jobs`: many recordings at once (``jobs.batch``).

Nothing here prints or parses command lines or HTTP requests; ``cli`` and
``web`` do that and call these functions.
"""
