"""Build hook: compile the importers' speedups (``tui/importers/_speedups.c``) into the package.

Optional by design: where no C compiler works, the package stays pure Python and reads BibTeX with the
same rules in Python (``bibtex_syntax.python_fast_fields``, ``records.python_is_clean``), only slower on
large dumps.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("tui/importers/_speedups.c")


def compile_command(source: Path, output: Path) -> list[str]:
    """The interpreter's own recipe for an extension module (``LDSHARED``), as setuptools uses it."""
    linker = os.environ.get("LDSHARED") or sysconfig.get_config_var("LDSHARED") or "cc -shared"
    position_independent = sysconfig.get_config_var("CCSHARED") or "-fPIC"
    include = sysconfig.get_paths()["include"]
    return [
        *shlex.split(linker),
        *shlex.split(position_independent),
        "-O2",
        f"-I{include}",
        str(source),
        "-o",
        str(output),
    ]


class CompiledSpeedupsHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        relative = SOURCE.with_name("_speedups" + sysconfig.get_config_var("EXT_SUFFIX"))
        try:
            subprocess.run(compile_command(root / SOURCE, root / relative), check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            self.app.display_warning(f"arrow-tui: speedups not compiled, Python used instead: {detail.strip()}")
            return
        # In the source tree too: an editable install and tests run from a checkout import it from there.
        build_data["artifacts"].append(str(relative))
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
