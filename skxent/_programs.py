"""The compiled programs fits share: the cache, the key, the template.

A program (:mod:`skxent._backend`) depends only on the network's
architecture and the training settings, never on the weights or the data,
so programs are kept in a small cache (:data:`PROGRAMS`) and every fit of
the same configuration - the folds of a cross-validation, the candidates
of a grid search - reuses the one compiled for the first.  A program
trains its own copy of the network (:func:`template`); a loss of one of
:data:`skxent._keras_losses.FAMILIES` trains in its family's program, the
loss's index a column of the targets (:func:`with_column`).
"""

import threading
from collections import OrderedDict
from contextlib import contextmanager

import numpy as np

from ._backend import backend_name
from ._keras import import_keras
from ._model import dense_stack, dense_stack_model

keras = import_keras()  # quietly, whichever skxent module is first

__all__ = ["PROGRAMS", "ProgramCache", "program_key", "template", "with_column"]


class ProgramCache:
    """Compiled epoch programs by configuration, shared across fits.

    (Also the shared networks of :data:`skxent._networks.NETWORKS`.)

    A program that keeps its state in variables (TensorFlow's) serves one
    fit at a time: a fit checks one out, and concurrent fits of the same
    configuration each get their own.  At most ``max_programs`` idle
    programs are kept, the least recently used dropped first.
    """

    def __init__(self, max_programs=16):
        self.max_programs = max_programs
        self._idle = OrderedDict()  # key -> list of idle programs
        self._lock = threading.Lock()

    def clear(self):
        """Drop every idle program."""
        with self._lock:
            self._idle.clear()

    def __len__(self):
        with self._lock:
            return self._count()

    def _count(self):
        return sum(map(len, self._idle.values()))

    @contextmanager
    def checkout(self, key, build):
        """A program for ``key``, built by ``build()`` if none is idle.

        A key of None builds a program for this fit alone.
        """
        program = None if key is None else self._take(key)
        if program is None:
            program = build()
        try:
            yield program
        finally:
            if key is not None:
                self._give_back(key, program)

    def _take(self, key):
        with self._lock:
            idle = self._idle.get(key)
            if not idle:
                return None
            self._idle.move_to_end(key)
            # A shareable program stays idle for other fits while in use.
            if not idle[-1].exclusive:
                return idle[-1]
            program = idle.pop()
            if not idle:  # no empty list left for the eviction to pop from
                del self._idle[key]
            return program

    def _give_back(self, key, program):
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if not any(p is program for p in idle):
                idle.append(program)
            self._idle.move_to_end(key)
            while self._count() > self.max_programs:
                oldest = next(iter(self._idle))
                self._idle[oldest].pop(0)
                if not self._idle[oldest]:
                    del self._idle[oldest]


PROGRAMS = ProgramCache()
"""The process's cache of compiled epoch programs."""


def program_key(model, loss, batch_size, validation):
    """What a compiled program depends on, or None if it cannot be shared.

    The network, when :func:`skxent._model.dense_stack` describes it
    (programs of other networks serve one fit), the loss (``model.loss``,
    or the family it trains in as data), the optimizer's settings (its
    learning rate is state, not part of the key), the batch size, the
    presence of validation data, the dtype policy and the backend.
    """
    stack = dense_stack(model)
    if stack is None:
        return None
    optimizer = model.optimizer.get_config()
    del optimizer["name"]  # numbered by Keras: adam, adam_1, ...
    if isinstance(optimizer.get("learning_rate"), float):
        del optimizer["learning_rate"]
    return repr(
        (
            backend_name(),
            keras.config.dtype_policy().name,
            model.input_shape,
            bool(model.inputs[0].sparse),
            [(layer.units, activation) for layer, activation in stack],
            type(loss).__name__,
            sorted(loss.get_config().items()),
            type(model.optimizer).__name__,
            sorted(optimizer.items()),
            batch_size,
            validation,
        )
    )


def template(model, loss):
    """A program's own copy of ``model``'s network and optimizer, with ``loss``."""
    template = dense_stack_model(
        model.input_shape[-1], dense_stack(model), bool(model.inputs[0].sparse)
    )
    optimizer = model.optimizer
    template.compile(
        optimizer=type(optimizer).from_config(optimizer.get_config()), loss=loss
    )
    template.optimizer.build(template.trainable_variables)
    return template


def with_column(data, value):
    """``(X, targets, weights)`` with a column of ``value`` after the targets'."""
    if data is None:
        return None
    X, targets, weights = data
    column = np.full((len(targets), 1), value, targets.dtype)
    return X, np.hstack([targets, column]), weights
