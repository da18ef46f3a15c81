"""Relais edge package: the settings object and the `relais` command line.

The domain lives in `knowledge`, `ingest`, `assistant`, `web` and `evals`; this package only
reads the configuration once and wires those packages to the outside world.
"""

import os

# OpenMP threads that wait by spinning hold both cores while another process embeds too (a second
# web worker or model process, the background drafter, an evaluation run): with two such processes
# on this 2-core machine, search p95 went from 70 ms to 0.74 s. Waiting threads sleep instead; a
# search alone costs about 14 ms more (README, performance). The runtime reads this once, when it
# loads, so it is set here, before any model library is imported (model processes inherit it); a
# value set by the operator wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
