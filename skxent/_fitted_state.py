"""The fitted state's life: set at once, kept on error, pickled, saved.

:class:`FittedStateMixin` gives the estimator what its fitted state needs
beyond scikit-learn: the attributes and the network are set together,
once training has succeeded, with the :class:`~skxent._inference.Inference`
that predicts from them; a fit that raises (or is interrupted) leaves the
attributes as they were; a pickle rebuilds the inference; ``save`` writes
the safe format of :mod:`skxent._persistence`.
"""

import sys
from contextlib import contextmanager

from . import _interrupts, _skops
from ._keras import KERAS_FIRST
from ._loss_rules import LOSSES

__all__ = ["FittedStateMixin"]


class FittedStateMixin:
    """Fitted-state handling for :class:`skxent.XentClassifier`."""

    def _set_fitted(self, attributes, network):
        """Set the fitted ``attributes`` and network, and predict from them.

        ``network`` is a Keras model, or the NumPy state of a network fit
        on a shared one (:class:`skxent._fitted_network.FittedNetwork`), from
        which ``model_`` is built when first asked for.
        """
        from ._fitted_network import FittedNetwork
        from ._inference import Inference

        vars(self).update(attributes)
        if isinstance(network, FittedNetwork):
            self.__dict__.pop("model_", None)
            self._network = network
        else:
            self.__dict__.pop("_network", None)
            self.model_ = network
        self._inference = Inference(
            network,
            LOSSES[self.loss_],
            self.target_type_,
            getattr(self, "calibration_temperature_", None),
        )

    def _has_network(self):
        """Whether the estimator holds a fitted network (without building it)."""
        return "model_" in self.__dict__ or "_network" in self.__dict__

    def __getattr__(self, name):
        # Called where the usual lookup failed: model_ is built on first use.
        if name != "model_":
            # The lookup again, for its own error (available_if's says why).
            return object.__getattribute__(self, name)
        network = self.__dict__.get("_network")
        if network is not None:
            # setdefault: another thread's model_, if it set one first.
            model = self.__dict__.setdefault("model_", network.build())
            self.__dict__.pop("_network", None)
            return model
        if "model_" in self.__dict__:  # built by another thread just now
            return self.__dict__["model_"]
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute 'model_'"
        )

    @contextmanager
    def _fitted_state_kept_on_error(self, continues=False):
        """Restore the fitted state if the block raises or is interrupted.

        ``validate_data(reset=True)`` sets ``n_features_in_`` and
        ``feature_names_in_`` before later checks can fail; a failed fit of
        a fitted estimator must leave it predicting as before.  The fitted
        and private attributes are put back and, where the fit
        ``continues`` training ``model_`` (``warm_start``, ``partial_fit``),
        so are the network's and its optimizer's variables.  Ctrl-C ends
        the fit with ``KeyboardInterrupt`` wherever it lands and waits for
        the restoring to end (:mod:`skxent._interrupts`).
        """
        variables = _interrupts.variables_of(self.model_) if continues else None
        saved = {k: v for k, v in vars(self).items() if _is_state(k)}
        try:
            with _interrupts.interruptible():
                yield
        except BaseException:
            with _interrupts.deferred():
                if variables is not None:
                    _interrupts.assign(variables)
                for key in [k for k in vars(self) if _is_state(k)]:
                    del self.__dict__[key]
                self.__dict__.update(saved)
            raise

    def save(self, path):
        """Write the fitted estimator to ``path`` in skxent's safe format.

        Unlike a pickle, the file runs no code when loaded with
        :func:`skxent.load`: it is a zip of the network in Keras's ``.keras``
        format (loaded with ``safe_mode=True``) and the parameters and fitted
        attributes as JSON.  Parameters that are code (a ``body`` callable,
        callbacks, an optimizer class) are not stored; ``skxent.load`` warns
        and gives them their defaults.  See ``docs/reliability.md``.

        Parameters
        ----------
        path : str or path-like
            The file to write, e.g. ``"model.skxent"``.
        """
        from ._persistence import save

        with _interrupts.interruptible():  # Ctrl-C is never lost, even in a gc callback
            save(self, path)

    def __getstate__(self):
        if "_network" in self.__dict__:
            self.model_  # noqa: B018  built: a pickle holds a Keras network
        state = self.__dict__.copy()
        state.pop("_network", None)
        # Its compiled function does not pickle; it is rebuilt on load.
        state.pop("_inference", None)
        if "keras" in sys.modules:
            # Unpickled first, this imports Keras through skxent, quietly
            # (in a loky worker, say), before any Keras object in the state.
            # Keras objects go in holders that skops stores safely.
            state = {"_keras_first": KERAS_FIRST, **_skops.hold(state)}
        return state

    def __setstate__(self, state):
        state.pop("_keras_first", None)
        state = _skops.release(state)
        model = state.pop("model_", None)
        self.__dict__.update(state)
        if model is not None:
            self._set_fitted({}, model)


def _is_state(name):
    """Whether attribute ``name`` is fitted (``name_``) or private (``_name``)."""
    return name.endswith("_") or name.startswith("_")
