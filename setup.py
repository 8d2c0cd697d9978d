"""Ships the top-level widget/ inside the package (as consentkit/widget/) when a
wheel is built; an editable install finds it beside the package instead."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithWidget(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "widget"
        target = Path(self.build_lib) / "consentkit" / "widget"
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("test*", "*.md"))


setup(cmdclass={"build_py": BuildWithWidget})
