"""Ships the demo site, the repository's top-level demo_site/, as the subpackage
consentkit._demo (in the wheel and in an editable install alike): the wheel installs
no top-level package but consentkit. The widget ships as it is built and committed,
package data in consentkit/widget/ (built from widget/src/ by `node widget/build.mjs`).

Builds the HTML gate's scanner in C (consentkit.gating._cscan). It is optional: where
no C compiler is at hand the install goes on and the gate runs in pure Python, with
the same output, only slower (``consentkit.gating.fastpath.CSCAN`` is then None)."""

from __future__ import annotations

from setuptools import Extension, find_packages, setup

setup(
    packages=[*find_packages(include=["consentkit", "consentkit.*"]), "consentkit._demo"],
    package_dir={"consentkit._demo": "demo_site"},
    package_data={
        "consentkit": ["py.typed", "gating/*.pyi", "templates/*.html", "widget/*.js", "widget/*.css", "widget/*.d.ts",
                       "admin/templates/*.html", "admin/static/*"],
        "consentkit._demo": ["*.toml", "templates/*.html", "static/*"],
    },
    ext_modules=[Extension("consentkit.gating._cscan", ["consentkit/gating/_cscan.c"], optional=True)],
)
