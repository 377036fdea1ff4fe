"""gaitedge: smartwatch gait biometrics as an embedded edge module.

Pipeline: data -> windows -> features (C core via cffi) -> models -> export -> device -> parity.
"""
from gaitedge.data import DataError, FeatureTable, Recording, load, load_feature_table
from gaitedge.features import FeatureError, StreamingWindower, extract, feature_names, n_features
from gaitedge.windows import Windows, fuse, make_windows

__version__ = "0.1.0"
__all__ = ["DataError", "FeatureError", "FeatureTable", "Recording", "StreamingWindower", "Windows",
           "extract", "feature_names", "fuse", "load", "load_feature_table", "make_windows", "n_features"]
