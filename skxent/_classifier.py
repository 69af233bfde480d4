"""XentClassifier: a scikit-learn classifier on Keras that picks its crossentropy."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _calibration, _interrupts, _plan, _scaling, _sparse
from ._available_if import available_if
from ._fitted_state import FittedStateMixin
from ._loss_rules import check_probabilities
from ._params import PARAMETER_CONSTRAINTS, RoutedParamsMixin, route
from ._targets import column_to_1d

__all__ = ["XentClassifier"]

# Sparse X in any scipy format; scikit-learn converts others to the first.
ACCEPT_SPARSE = ("csr", "csc", "coo")


class XentClassifier(
    FittedStateMixin, RoutedParamsMixin, ClassifierMixin, BaseEstimator
):
    """A Keras neural network classifier that chooses its own crossentropy.

    The network ends in a linear layer (logits); the output layer, the loss
    (a crossentropy is applied with ``from_logits=True``), the encoding of
    the targets and the prediction rule all follow from the targets passed
    to :meth:`fit` and from ``loss``:

    ============================ ======================== ==============
    target                       ``loss="auto"`` uses     output logits
    ============================ ======================== ==============
    two classes                  binary crossentropy      1
    more classes, or one-hot     categorical crossentropy one per class
    multilabel indicator         binary crossentropy      one per label
    ============================ ======================== ==============

    :meth:`predict` always returns the original labels: a 1-D array (of
    column indices ``0..k-1`` for a one-hot ``y``), or a 0/1 indicator for
    multilabel targets.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of each hidden ``Dense`` layer of the default network body.
    activation : str or callable, default="relu"
        Activation of the hidden layers.
    kernel_initializer : str, default="glorot_uniform"
        Initializer of the hidden layers' weights (MLPClassifier's), seeded
        by ``random_state``.
    body : callable, default=None
        Your own network body instead of the ``Dense`` stack:
        ``body(meta, **body_params)`` returns a Keras layer or a list of
        layers, applied in order to the input (a sparse tensor for sparse
        ``X``), ending in a 2-D tensor; skxent adds the output layer and the
        loss.  ``meta`` holds ``n_features_in_``, ``n_classes_``,
        ``classes_``, ``target_type_``, ``loss_``, ``n_outputs_`` and
        ``random_seed``; routed ``body__*`` parameters come as keywords.
    loss : str or keras.losses.Loss, default="auto"
        ``"auto"`` chooses from the targets (table above).  Any other of
        Keras's crossentropies and hinges, by name (``"bce"``, ``"cce"``,
        ``"scce"`` for short) or as a ``keras.losses`` instance (its settings
        kept, logits always), works on any classification target, with the
        output layer, target encoding and prediction rule it needs: the
        user guide's "Choosing the loss yourself" lists them.  Only the
        crossentropies have :meth:`predict_proba`.
    label_smoothing : float in [0, 1), default=0.0
        Label smoothing of any crossentropy (an error for the hinges).
    optimizer : str, Keras optimizer class or instance, default="adam"
        Routed ``optimizer__*`` parameters configure a name or class.  An
        instance is copied at each fit and keeps its own learning rate.
    learning_rate : float, default=1e-3
        Learning rate of an optimizer given by name or class.
    epochs : int, default=200
        Most passes over the training data per :meth:`fit` (see
        ``n_iter_no_change``), as MLPClassifier's ``max_iter``.
    batch_size : int or "auto", default="auto"
        Samples per gradient step; ``"auto"`` is ``min(200, n_samples)``, as
        in MLPClassifier (see the user guide on the defaults).
    validation_split : float in [0, 1), default=0.0
        Fraction of the training data held out, shuffled and stratified by
        class with ``random_state``, to compute ``val_loss`` each epoch
        (SciKeras's and Keras's name).  When non-zero it is also the
        fraction ``early_stopping`` uses.
    early_stopping : bool, default=False
        As in MLPClassifier: hold out ``validation_fraction`` of the
        training data, stop when ``val_loss`` has not improved by more than
        ``tol`` for more than ``n_iter_no_change`` epochs, and keep the
        weights of the best epoch (skxent watches the loss, not accuracy).
    validation_fraction : float in (0, 1), default=0.1
        Fraction held out for ``early_stopping`` when ``validation_split``
        is 0; unused without ``early_stopping``.
    n_iter_no_change : int or None, default=10
        Epochs without an improvement of more than ``tol`` (of ``val_loss``
        with ``early_stopping``, else of the training loss) after which
        :meth:`fit` stops, as in MLPClassifier.  None trains all ``epochs``.
    tol : float, default=1e-4
        The improvement that counts, for ``n_iter_no_change``.
    shuffle : bool, default=True
        Reshuffle the training data before each epoch.
    class_weight : dict, "balanced" or None, default=None
        Weights by class label, multiplied into ``sample_weight`` (never in
        place).  ``"balanced"`` weights classes inversely to their frequency.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and the validation split: an int
        gives bitwise the same model fit after fit (on CPU).  No global
        random state is read or changed; seed your own ``body``'s layers
        with ``meta["random_seed"]``.
    verbose : int, default=0
        0 silent, 1 a progress bar that moves within epochs, 2 a line per epoch.
    callbacks : list of keras.callbacks.Callback or classes, default=None
        Keras callbacks, copied at each fit (yours never change); classes
        are built with routed ``callbacks__*`` parameters.
    warm_start : bool, default=False
        When True, :meth:`fit` on a fitted estimator continues training its
        network instead of starting anew.
    input_scaling : {"auto", "standard"} or None, default="auto"
        ``"standard"`` trains the default network on features standardised
        as by ``StandardScaler`` (sparse ``X`` divided, never centred), so
        raw features of any scale train as well as scaled ones; ``"auto"``
        does so for dense ``X`` whose scale is off (largest column root
        mean square outside [0.1, 10]) and leaves other ``X`` as passed.  The
        statistics of the first fit are kept by later ones and folded into
        the first layer, so ``model_`` takes ``X`` as passed.  A custom
        ``body`` gets ``X`` as passed.  See the user guide's "Raw features".
    calibration : {"temperature"} or None, default=None
        ``"temperature"`` calibrates :meth:`predict_proba`: the logits are
        divided by a temperature fitted after training on held-out rows
        (the validation rows, or ``validation_fraction`` held out,
        stratified); :meth:`predict` and :meth:`decision_function` do not
        change.  Crossentropies only; see the user guide.
    **routed_params
        SciKeras-style routed parameters; see :data:`skxent._params.ROUTES`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (column indices for one-hot or multilabel ``y``).
    n_classes_ : int
        Number of classes (labels, for multilabel targets).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Feature names, when ``X`` had string column names (pandas).
    target_type_ : {"binary", "multiclass", "multilabel-indicator"}
        The kind of target seen during fit; a one-hot ``y`` is "multiclass".
    loss_ : str
        Canonical name of the loss used, e.g. ``"binary_crossentropy"``.
    history_ : dict of str to list of float
        Per-epoch ``loss`` (and ``val_loss`` with a validation split).
    loss_curve_ : list of float
        ``history_["loss"]``, under MLPClassifier's name.
    n_iter_ : int
        Epochs trained in all (``warm_start`` and :meth:`partial_fit`
        accumulate).
    best_loss_ : float
        The lowest loss of the last :meth:`fit` or :meth:`partial_fit`: of
        ``val_loss`` with ``early_stopping`` (whose weights the model
        keeps), else of the training loss.
    model_ : keras.Model
        The fitted network (built on first use), ending in logits; takes raw X.
    input_offset_, input_scale_ : ndarray of shape (n_features,) or None
        The statistics of ``input_scaling``; None without scaling.
    calibration_temperature_ : float or None
        The temperature of ``calibration="temperature"``; None without.
    target_encoder_ : TargetEncoder
        Maps labels to class codes and back.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's own MLP.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from skxent import XentClassifier
    >>> X, y = make_moons(200, noise=0.1, random_state=0)
    >>> clf = XentClassifier(random_state=0).fit(X, y)
    >>> clf.loss_, clf.predict_proba(X[:1]).shape
    ('binary_crossentropy', (1, 2))
    >>> clf.score(X, y) > 0.85  # 200 steps of batch 200; MLPClassifier: 0.88
    True
    """

    _parameter_constraints = PARAMETER_CONSTRAINTS

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        kernel_initializer="glorot_uniform",
        body=None,
        loss="auto",
        label_smoothing=0.0,
        optimizer="adam",
        learning_rate=1e-3,
        epochs=200,
        batch_size="auto",
        validation_split=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        shuffle=True,
        class_weight=None,
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
        input_scaling="auto",
        calibration=None,
        **routed_params,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.kernel_initializer = kernel_initializer
        self.body = body
        self.loss = loss
        self.label_smoothing = label_smoothing
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.class_weight = class_weight
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.input_scaling = input_scaling
        self.calibration = calibration
        self._set_routed_params(routed_params)

    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A scipy sparse ``X`` (any format) is never densified whole.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Class labels, a one-hot matrix, or a multilabel indicator (a
            scipy sparse matrix for either).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples' losses.

        Returns
        -------
        self : XentClassifier
        """
        continues = self.warm_start and self._has_network()
        return self._fit(X, y, sample_weight, continues=continues)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch, keeping the network of earlier calls.

        Parameters
        ----------
        X, y, sample_weight
            As in :meth:`fit`.
        classes : array-like, default=None
            All class labels, required on the first call unless ``y`` is
            one-hot or multilabel (its columns are the classes) or already
            holds every class.

        Returns
        -------
        self : XentClassifier
        """
        continues = self._has_network()
        return self._fit(
            X, y, sample_weight, continues, incremental=True, classes=classes
        )

    def _fit(self, X, y, sample_weight, continues, incremental=False, classes=None):
        """Validate, plan, get the network (_networks), train, store the result."""
        with self._fitted_state_kept_on_error(continues):
            hidden_layer_sizes = self._check_params()
            X, y = validate_data(
                self, X, y, reset=not continues, dtype=np.float32,
                multi_output=True, accept_sparse=ACCEPT_SPARSE,
            )  # fmt: skip
            X = _sparse.as_csr(X) if _sparse.is_sparse(X) else X
            params = self.get_params(deep=False)
            plan = _plan.make_plan(
                X,
                y if _sparse.is_sparse(y) else column_to_1d(y),
                sample_weight,
                params,
                previous=_plan.Previous.of(self) if continues else None,
                incremental=incremental,
                classes=classes,
            )
            # Keras (and TensorFlow) is imported here, on the first fit;
            # Ctrl-C waits for the end of the imports, which it would break.
            with _interrupts.deferred():
                from . import _model, _networks, _training
                from ._backend import backend

                backend()
            callbacks = _model.make_callbacks(
                self.callbacks, route(params, "callbacks")
            )
            with _networks.checkout(
                plan, params, hidden_layer_sizes, callbacks=callbacks,
                verbose=self.verbose, continued=self.model_ if continues else None,
            ) as network:  # fmt: skip
                model = network.model  # trains on scaled X, then takes X as passed
                with _scaling.folded_after(model, plan.scaling, continues):
                    history = _training.train(
                        model, plan, callbacks=callbacks, verbose=self.verbose,
                        fit_params=route(params, "fit"),
                        compile_params=route(params, "compile"),
                    )  # fmt: skip
                temperature = _calibration.held_out_temperature(plan, model, X)
                fitted = network.fitted()  # the model, or a shared one's weights
            # The fitted state is set only once training has succeeded.
            attributes = _plan.fitted_attributes(plan, history, temperature)
            self._set_fitted(attributes, fitted)
        return self

    @property
    def loss_curve_(self):
        return self.history_["loss"]

    # -- prediction --------------------------------------------------------

    def _validated(self, X):
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=np.float32, accept_sparse=ACCEPT_SPARSE
        )
        return _sparse.as_csr(X) if _sparse.is_sparse(X) else X

    def decision_function(self, X):
        """Network outputs: ``(n_samples,)`` for binary targets, else 2-D.

        Logits for the crossentropies, margins for the hinges.  For a
        binary target trained with an exclusive (two-output) loss this is
        the difference of the two outputs, so its sign gives the prediction.
        """
        X = self._validated(X)
        return self._inference.decision(X)

    def _yields_probabilities(self):
        check_probabilities(self.loss_ if hasattr(self, "loss_") else self.loss)
        return True

    @available_if(_yields_probabilities)
    def predict_proba(self, X):
        """Class probabilities, shape ``(n_samples, n_classes)``.

        Rows sum to 1 (binary targets give two columns), except for
        multilabel targets, where each column is that label's probability.
        Only the crossentropies have it: a margin loss (the hinges) is not
        calibrated, so ``hasattr(clf, "predict_proba")`` is False for them,
        as for ``SGDClassifier(loss="hinge")``.
        """
        X = self._validated(X)
        return self._inference.proba(X)

    def predict(self, X):
        """Predicted labels, in the form of the labels given to :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Labels, or a 0/1 indicator for multilabel targets (a scipy CSR
            matrix when ``y`` was a sparse indicator, as in scikit-learn).  A
            model fit on one-hot targets predicts the class index (1-D), which
            is what ``mlxtend.plotting.plot_decision_regions`` needs.
        """
        X = self._validated(X)
        codes = self._inference.predict_codes(X)
        return self.target_encoder_.inverse_transform(codes)

    def score(self, X, y, sample_weight=None):
        """Accuracy on ``X``; ``y`` may be in any form fit accepts, one-hot included."""
        check_is_fitted(self)
        if not _sparse.is_sparse(y):
            y = column_to_1d(np.asarray(y))
        y = self.target_encoder_.as_predicted(y)
        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)

    # -- scikit-learn protocol ---------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags
