"""PyTorch: ``keras.Model.fit`` trains; inference is a no-grad forward pass.

skxent has no compiled epoch for PyTorch: Keras's torch trainer runs each
step eagerly either way, and ``Model.fit`` fed skxent's own batches is
correct on every feature (callbacks, routed parameters).  See
``docs/benchmarks.md`` for what that costs against the other backends.
"""

import keras
import torch

__all__ = ["Program", "inference_function", "model_fit_reason"]

Program = None


def model_fit_reason():
    """Why training must go through ``Model.fit`` here: always, on PyTorch."""
    return "the PyTorch backend trains through Model.fit"


def inference_function(model):
    """``X -> logits`` over float32 batches, without autograd."""

    def predict_logits(X):
        with torch.no_grad():
            return keras.ops.convert_to_numpy(model(X, training=False))

    return predict_logits
