"""One small interface over Keras 3's backends: TensorFlow, JAX, PyTorch.

Everything skxent does that depends on the backend sits in one module per
backend, each exposing the same names:

``Program(template, *, batch_size, validation)``
    A compiled training epoch for one network architecture and training
    configuration, or None where the backend has none (training then goes
    through ``keras.Model.fit``).  ``Program.exclusive`` says whether one
    fit at a time may use it (TensorFlow's program keeps its state in
    variables; JAX's is a pure function, shared by threads).
``Program.start(model, train, val)``
    Returns a session that trains ``model``'s weights and optimizer state
    on the ``(X, targets, weights)`` arrays ``train`` (and ``val``):
    ``session.run(order)`` runs one epoch over the rows in the order given
    and returns its logs (``loss``, ``val_loss``); ``session.store(model)``
    writes the trained state back into ``model``'s variables;
    ``session.sync_learning_rate(model)`` reads a learning rate a callback
    set.
``Program.one_call`` and ``session.run_fit(chunks, rule)``
    Where ``one_call`` is true, ``run_fit`` trains through whole chunks of
    epochs in one compiled call each, with the stopping rule inside (see
    :mod:`skxent._one_call`), and returns a ``FitResult``.
``inference_function(model)``
    A compiled ``X -> logits`` function over float32 batches.
``model_fit_reason()``
    Why training must go through ``Model.fit`` on this backend, or None.

The module for the backend Keras runs on is :func:`backend`; importing it
imports that backend and no other.
"""

import importlib

__all__ = ["backend", "backend_name"]


def backend_name():
    """The name of Keras's backend: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    from .._compat import import_keras

    return import_keras().backend.backend()


def backend():
    """The skxent module for Keras's backend.

    Raises
    ------
    ImportError
        For a backend skxent does not run on (``numpy``, ``openvino``).
    """
    name = backend_name()
    if name not in ("tensorflow", "jax", "torch"):
        raise ImportError(
            f"skxent trains on Keras's TensorFlow, JAX or PyTorch backend, but "
            f"KERAS_BACKEND is {name!r}; set KERAS_BACKEND to 'tensorflow' (the "
            "default), 'jax' or 'torch'."
        )
    return importlib.import_module(f"._{name}", __name__)
