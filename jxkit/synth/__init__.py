"""Synthetic datasets: realistic fake unions, projects, indicators and evaluations.

Used for the demo, tests, training assessors and benchmarks. Everything is drawn from
one seed through independent streams per stage (units, projects, indicators,
evaluations), so the same seed always gives the same tables, and the work is
vectorised: each project's indicators are its category framework's leaves repeated
with numpy, never a Python loop per row.

What makes the data useful for testing the rest of jxkit:

- a latent quality per project drives its values: good projects reach their targets,
  poor ones miss, spend less and comply less;
- compliance (targets declared, approved, self-evaluated) improves year by year and is
  lower in county unions, so 三项十类 coverage is not 100%;
- re-evaluation (review) values exist for a share of self-evaluated projects and are a
  little stricter; weak projects tend to inflate their self-evaluation, often by
  10 or more points;
- some indicators are 不适用 where the framework allows it;
- evidence and notes of 困难职工帮扶 projects carry fake but realistic personal data
  (names, 18-digit ID numbers with valid check digits, mobile numbers) so that report
  masking can be tested;
- the whole process (a fifth stream, so the tables above do not change): ex-ante
  assessments of new major projects (the weakest one not supported, one capital project
  without its collective decision), monitoring of the last year's projects at the end of
  June and September (the weakest project a serious case at both dates; cross-year
  projects with start and end dates), unit-level indicators and values for every unit
  and year, and the assessor's values of the management-work indicators jxkit cannot
  compute.

No logic lives here; the files:

- ``dataset.py``: :func:`synth_dataset` (the stages in their order, one stream each),
  :data:`TABLE_COLUMNS` and :func:`write_dataset` (CSV, optionally a workbook);
- ``units.py``: the union hierarchy, sized to the number of projects;
- ``projects.py``: projects, their budgets, spending, compliance and latent quality;
- ``indicators.py``: each project's framework leaves and the leaf variants values come from;
- ``values.py``: actual values as users write them, and the self and review evaluations;
- ``personal.py``: fake names, ID numbers and phones in 困难职工帮扶 evidence and notes;
- ``process.py``: the whole-process stream, and the projects' process columns;
- ``exante.py``: ex-ante assessments of new major projects;
- ``monitoring.py``: monitoring at the end of June and September of the last year;
- ``unit_level.py``: unit indicators and values, and the assessor's management values;
- ``targets.py``: edits that plant declared-target problems in named projects (the demo);
- ``wording.py``: 是/否, numbers as short text, a phrase drawn from a list.
"""

from __future__ import annotations

from .dataset import TABLE_COLUMNS, synth_dataset, write_dataset

__all__ = ["TABLE_COLUMNS", "synth_dataset", "write_dataset"]
