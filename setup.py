"""Ship the toolkit's own files inside the wheel, as package data under pipeline/_data/.

The checkout keeps templates/, schema/ and the default brand at the top, where
people look for them; installed, pipeline/resources.py reads them from
pipeline/_data/. A copy after the usual build_py is the simplest way to do that:
mapping each folder to a package makes setuptools treat every subfolder of
templates/ as a package missing from its list. MANIFEST.in puts the same
folders in the sdist, so a wheel built from it is the same.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

# pipeline/_data/<name> : the checkout's folder
DATA = {
    "templates": "templates",
    "schema": "schema",
    "brands/default": "brands/default",
    "sample": "source/commissioning-services",
}


class BuildWithData(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "pipeline" / "_data"
        for name, folder in DATA.items():
            shutil.copytree(folder, target / name, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithData})
