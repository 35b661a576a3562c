"""Random re-evaluation samples that anyone can recompute: the algorithm ``jxkit-prn-v1``.

No logic lives here: this facade re-exports the public names of the modules below, so
``from jxkit.sampling import draw`` keeps working. The published description of the
algorithm is ``docs/sampling.md``; each file holds one part of it:

- ``algorithm.py``: the algorithm itself, exactly as ``docs/sampling.md`` sections 1 and
  2 publish it: canonical id and number text, the permanent random numbers :func:`prn`,
  the allocation to strata :func:`allocate`, the checked parameters of a draw and the
  selection (mandatory units, certainty units, simple random or PPS sequential Poisson
  sampling, within strata). Pure; imports nothing else from this package.
- ``population.py``: preparing a population for the algorithm: the ``where`` filter
  (:func:`parse_where`), the id, stratum and size columns in canonical form, every data
  problem at once, and the canonical listing (``population.txt``) whose SHA-256 is the
  population fingerprint (section 3).
- ``drawing.py``: :func:`draw` and its result :class:`Sample`, and the manifest that records
  a draw (section 4).
- ``verification.py``: :func:`verify` and :class:`VerifyReport`: replay a manifest on a
  population and name every difference (section 5).
- ``io.py``: the only file access: :func:`read_population`, :func:`read_manifest`,
  :func:`read_listing` and :func:`write_sample`.
- ``planning.py``: how many units to sample and what the findings allow one to claim
  (attribute sampling, the Clopper-Pearson bound; section 8), used as
  ``from jxkit.sampling import planning``.

Each module imports only from those listed before it (algorithm, population, drawing,
then verification and io; planning stands alone), and never a private name of another.
The modules are not named ``draw`` and ``verify`` so that the functions re-exported here
do not hide them: ``jxkit.sampling.drawing`` is always the module.
"""

from __future__ import annotations

from . import planning
from .algorithm import ALGORITHM, REASONS, allocate, canonical_id, canonical_number, prn
from .drawing import FORMAT_VERSION, LISTING_NAME, Sample, draw
from .io import MANIFEST_NAME, read_listing, read_manifest, read_population, write_sample
from .population import parse_where
from .verification import VerifyReport, verify

__all__ = [
    "ALGORITHM",
    "FORMAT_VERSION",
    "LISTING_NAME",
    "MANIFEST_NAME",
    "REASONS",
    "Sample",
    "VerifyReport",
    "allocate",
    "canonical_id",
    "canonical_number",
    "draw",
    "parse_where",
    "planning",
    "prn",
    "read_listing",
    "read_manifest",
    "read_population",
    "verify",
    "write_sample",
]
