"""gaitedge build: the cffi extension gaitedge._core is compiled from csrc/."""
from setuptools import find_packages, setup

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
