"""gaitedge build: the cffi extension gaitedge._core is compiled from csrc/."""
import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


class build_py_with_csrc(build_py):
    """Ship csrc/ (the C core, protocol and firmware sources) inside the package as gaitedge/_csrc,
    so a non-editable install can still export bundles and build firmware."""

    def run(self):
        super().run()
        src = Path(__file__).resolve().parent / "csrc"
        dst = Path(self.build_lib) / "gaitedge" / "_csrc"
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("build", "*.o", "*.su", "*.ci"))

setup(
    name="gaitedge",
    version="0.1.0",
    description="Smartwatch gait biometrics as an embedded edge module (C feature core + Python pipeline)",
    packages=find_packages(include=["gaitedge", "gaitedge.*"]),
    package_data={"gaitedge": ["sample/*.npz", "sample/*.md"]},
    include_package_data=True,
    python_requires=">=3.9",
    setup_requires=["cffi>=1.15"],
    cffi_modules=["gaitedge/_build_ffi.py:ffibuilder"],
    cmdclass={"build_py": build_py_with_csrc},
    install_requires=[
        "cffi>=1.15",
        "numpy>=1.22",
        "scikit-learn>=1.2",
        "scipy>=1.8",
        "matplotlib>=3.5",
        "m2cgen>=0.10",
        "pyserial>=3.5",
        "tqdm>=4.60",
    ],
    extras_require={
        "test": ["pytest>=7", "hypothesis>=6", "pytest-benchmark>=4"],
        "bench": ["pytest>=7", "pytest-benchmark>=4", "emlearn>=0.20"],
    },
    entry_points={"console_scripts": ["gaitedge=gaitedge.cli:main"]},
)
