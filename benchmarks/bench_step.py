"""µs per scheduler step: lrcore vs torch vs lrcore's pure-Python references.

A thin wrapper: the suite lives in the package (``lrcore.app.bench``), so it also runs from an
installed wheel as ``lrcore bench`` or ``python -m lrcore bench``. See ``--help``.
"""

import sys

from lrcore.app.bench import main

if __name__ == "__main__":
    sys.exit(main())
