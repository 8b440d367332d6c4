"""Rebuild the bundled demo store in data/ from the seed cluster page.

    python scripts/build_demo_store.py [SEED_PAGE]

The seed page defaults to ../shared/seed/arrow-author-cluster-wenkai-yang.txt. The store is built
in a temporary directory and only then moved over data/, so a failed build leaves data/ as it was.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEED = REPO.parent / "shared" / "seed" / "arrow-author-cluster-wenkai-yang.txt"


def build(seed: Path, target: Path) -> None:
    sys.path.insert(0, str(REPO))
    from tui.paths import StoreLocation
    from tui.service import import_files
    from tui.store.store import prune_generations

    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        staging = Path(tmp) / "store"
        report = import_files(StoreLocation(staging, False, "option"), [seed], "arrow-page")
        (staging / "lock").unlink(missing_ok=True)
        prune_generations(staging, keep=(staging / "CURRENT").read_text().strip())
        print(f"demo store: {report.imported} papers from {seed.name}")
        backup = target.with_name(target.name + ".old")
        if target.exists():
            target.rename(backup)
        staging.rename(target)
        shutil.rmtree(backup, ignore_errors=True)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED, REPO / "data")
