"""Export a trained model to its firmware form: firmware_models/NAME/.

The bundle a firmware engineer copies into their project:

    gaitedge.h ge_features.c ge_window.c   the C core, byte-identical to csrc/
    gaitedge_model.h gaitedge_model.c      the model (one header with the API and a usage comment)
    manifest.json                          task, classes, feature set, sensors, threshold, hashes

Random forests go through m2cgen's assembler (model -> expression tree) and
gaitedge's microcontroller emitter (gaitedge/export/forest.py); Gaussian naive
Bayes has its own emitter (m2cgen has none; gaitedge/export/naive_bayes.py).
"""
from gaitedge.export.bundle import CORE_FILES, export_model, model_c_api

__all__ = ["CORE_FILES", "export_model", "model_c_api"]
