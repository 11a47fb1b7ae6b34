"""Experiment 1's task, in one place: the data set, the search space, the epoch budget and
the target. gen_jobs.py writes rung's job files from it and optuna_peer.py reads it, so rung
and the peer cannot drift apart."""

# rung.dataset (the generator's job-file parameters; see README.md "Calibration").
DATASET = {
    "kind": "synthetic",
    "samples": 5000,
    "features": 20,
    "informative": 6,
    "class_separation": 3.0,
    "clusters_per_class": 16,
    "label_noise": 0.0,
    "validation_fraction": 0.2,
    "seed": 7,
}

# The seed's ranges (AWS post), all log-scaled.
INTEGER_RANGES = [("units", 10, 1000), ("batch_size", 10, 200)]
CONTINUOUS_RANGES = [("learning_rate", 1e-4, 0.1), ("l2", 1e-6, 2.0)]

import json as _json
import os as _os

# Calibration studies override the task without editing this file (gen_jobs.py, the
# exporter and the peer all read it): EXP1_DATASET='{"clusters_per_class": 8}' merges into
# DATASET, EXP1_MAX_EPOCHS=27 replaces MAX_EPOCHS.
DATASET.update(_json.loads(_os.environ.get("EXP1_DATASET", "{}")))

MIN_EPOCHS = 1     # Hyperband's MinResource
# MaxResource = the full training of Random and Bayesian: the good configurations are still
# improving until about epoch 20 (README "Calibration").
MAX_EPOCHS = int(_os.environ.get("EXP1_MAX_EPOCHS", 27))
ETA = 3            # reduction factor (rung's default, and Optuna's HyperbandPruner default)
TARGET = 0.96      # validation accuracy
METRIC = "validation:accuracy"


def journal_events(path):
    """The events of a rung journal (or the peer's JSON lines), skipping a cut last line."""
    import json
    with open(path) as f:
        for line in f:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue
