"""``python -m benchmarks``: run the benchmarks, print the table, write RESULTS.md."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.runner import main  # noqa: E402

sys.exit(main())
