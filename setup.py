"""Ships the top-level widget/ inside the package (as consentkit/widget/) when a
wheel is built; an editable install finds it beside the package instead.

Ships the demo site, the repository's top-level demo_site/, as the subpackage
consentkit._demo (in the wheel and in an editable install alike): the wheel installs
no top-level package but consentkit.

Builds the HTML gate's scanner in C (consentkit.gating._cscan). It is optional: where
no C compiler is at hand the install goes on and the gate runs in pure Python, with
the same output, only slower (``consentkit.gating.fastpath.CSCAN`` is then None)."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import Extension, find_packages, setup
from setuptools.command.build_py import build_py


class BuildWithWidget(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "widget"
        target = Path(self.build_lib) / "consentkit" / "widget"
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("test*", "*.md"))


setup(
    packages=[*find_packages(include=["consentkit", "consentkit.*"]), "consentkit._demo"],
    package_dir={"consentkit._demo": "demo_site"},
    package_data={
        "consentkit": ["py.typed", "gating/*.pyi", "templates/*.html", "widget/*", "widget/i18n/*"],
        "consentkit._demo": ["*.toml", "templates/*.html", "static/*"],
    },
    cmdclass={"build_py": BuildWithWidget},
    ext_modules=[Extension("consentkit.gating._cscan", ["consentkit/gating/_cscan.c"], optional=True)],
)
