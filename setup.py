"""Ship the toolkit's own files inside the wheel, as package data under pipeline/_data/.

The checkout keeps templates/, schema/ and the default brand at the top, where
people look for them; installed, pipeline/resources.py reads them from
pipeline/_data/. A copy after the usual build_py is the simplest way to do that:
mapping each folder to a package makes setuptools treat every subfolder of
templates/ as a package missing from its list. Files that are not code inside
pipeline/ itself are copied too. MANIFEST.in puts the same
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


IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildWithData(build_py):
    def run(self):
        super().run()
        package = Path(self.build_lib) / "pipeline"
        for name, folder in DATA.items():
            shutil.copytree(folder, package / "_data" / name, dirs_exist_ok=True, ignore=IGNORE)
        # Data kept inside the package itself (such as translation catalogs under
        # pipeline/locale/): every file that is not code, wherever it is.
        for path in Path("pipeline").rglob("*"):
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
                target = package / path.relative_to("pipeline")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


setup(cmdclass={"build_py": BuildWithData})
