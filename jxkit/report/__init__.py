"""Report content for the notebooks. No logic lives here; the files:

- ``kinds.py``: the registry of report kinds (code, name, notebook, which reports a dataset has);
- ``blocks.py``: building blocks every report uses (tables, facts, charts, masking, loading);
- one module per kind: ``project.py``, ``unit.py``, ``summary.py``, ``audit.py``,
  ``exante.py``, ``monitoring.py``, each a class whose methods are the report's sections.
"""
