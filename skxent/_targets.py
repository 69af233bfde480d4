"""Target type detection and encoding: NumPy only, no TensorFlow.

:class:`TargetEncoder` learns what kind of classification target it is given
and turns it into *class codes*: integers ``0..k-1`` of shape ``(n,)`` for
binary and multiclass targets (whatever the labels were: ints, strings,
bools, pandas categories or a one-hot matrix, dense or scipy sparse), or a
0/1 indicator matrix ``(n, k)`` for multilabel targets. The loss then
decides how codes become training targets (see :mod:`skxent._loss_rules`), and
:meth:`TargetEncoder.inverse_transform` turns predicted codes back into the
caller's labels.
"""

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

__all__ = ["TargetEncoder", "column_to_1d", "is_onehot"]


def is_onehot(y):
    """Return True if ``y`` is a 2-D 0/1 matrix with exactly one 1 per row.

    Such a matrix is read as a one-hot encoded *multiclass* target, as
    produced by ``keras.utils.to_categorical``; a 0/1 matrix with any other
    row sums is a multilabel indicator.

    Examples
    --------
    >>> import numpy as np
    >>> is_onehot(np.eye(3)[[0, 2, 1]])
    True
    >>> is_onehot(np.array([[1, 1, 0], [0, 1, 0]]))
    False

    A scipy sparse matrix counts too (``OneHotEncoder``'s default output):

    >>> from scipy import sparse
    >>> is_onehot(sparse.csr_matrix(np.eye(3)[[0, 2, 1]]))
    True
    """
    if sparse.issparse(y):
        return _sparse_onehot_codes(y) is not None
    y = np.asarray(y)
    if y.ndim != 2 or y.shape[1] < 2 or y.shape[0] == 0:
        return False
    if y.dtype.kind not in "biuf":
        return False
    return bool(np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all())


class TargetEncoder(TransformerMixin, BaseEstimator):
    """Learn the classes of a classification target and encode it as codes.

    Parameters
    ----------
    classes : array-like, default=None
        All classes to expect, for ``partial_fit`` where the first batch may
        not hold every class.  By default they are learned from ``y``.

    Attributes
    ----------
    target_type_ : {"binary", "multiclass", "multilabel-indicator"}
        The kind of problem.  A one-hot matrix is ``"multiclass"`` (or
        ``"binary"`` with two columns).
    input_format_ : {"labels", "onehot", "indicator"}
        How ``y`` was given: a vector of labels, a one-hot matrix or a
        multilabel indicator matrix.
    classes_ : ndarray
        The class labels.  For one-hot and indicator input these are the
        column indices ``0..k-1``.
    n_classes_ : int
        ``len(classes_)``.
    sparse_output_ : bool
        Whether :meth:`inverse_transform` returns a scipy sparse (CSR)
        indicator: True when ``y`` was a sparse multilabel indicator, as for
        scikit-learn's own multilabel classifiers.  A sparse one-hot ``y``
        is multiclass and predicts 1-D labels, as a dense one does.

    Examples
    --------
    >>> enc = TargetEncoder().fit(["cat", "dog", "cat"])
    >>> enc.target_type_, enc.classes_.tolist()
    ('binary', ['cat', 'dog'])
    >>> enc.transform(["dog", "cat"]).tolist()
    [1, 0]
    >>> enc.inverse_transform([1, 1]).tolist()
    ['dog', 'dog']

    A one-hot matrix is a multiclass target whose classes are its columns:

    >>> import numpy as np
    >>> enc = TargetEncoder().fit(np.eye(4)[[0, 3, 2, 1]])
    >>> enc.target_type_, enc.input_format_, enc.classes_.tolist()
    ('multiclass', 'onehot', [0, 1, 2, 3])

    So is a sparse one, e.g. ``OneHotEncoder``'s output:

    >>> from scipy import sparse
    >>> enc = TargetEncoder().fit(sparse.csr_matrix(np.eye(3)[[2, 0, 1]]))
    >>> enc.target_type_, enc.transform(sparse.csr_matrix(np.eye(3)[[2]])).tolist()
    ('multiclass', [2])
    """

    def __init__(self, classes=None):
        self.classes = classes

    def fit(self, y):
        """Learn the target type and the classes of ``y``.

        Raises
        ------
        ValueError
            If ``y`` is continuous, multiclass-multioutput, or holds fewer
            than two classes.
        """
        y = _as_array(y)
        self.sparse_output_ = False
        onehot = _onehot_codes(y)
        if onehot is not None:
            self.input_format_ = "onehot"
            self.classes_ = np.arange(y.shape[1])
            observed = np.unique(onehot)
            self.target_type_ = "binary" if y.shape[1] == 2 else "multiclass"
        else:
            check_classification_targets(y)
            y_type = type_of_target(y, input_name="y")
            if y_type == "multilabel-indicator":
                self.input_format_ = "indicator"
                # As scikit-learn's classifiers do, predict in y's form.
                self.sparse_output_ = sparse.issparse(y)
                self.classes_ = np.arange(y.shape[1])
                self.target_type_ = y_type
                observed = self.classes_
            elif y_type in ("binary", "multiclass"):
                self.input_format_ = "labels"
                observed = np.unique(y)
                classes = observed if self.classes is None else np.unique(self.classes)
                missing = np.setdiff1d(observed, classes)
                if missing.size:
                    raise ValueError(
                        f"y holds labels {missing.tolist()} that are not in "
                        f"classes={classes.tolist()}."
                    )
                self.classes_ = classes
                self.target_type_ = "binary" if len(classes) == 2 else "multiclass"
            else:
                raise ValueError(
                    f"Unknown label type: {y_type}. XentClassifier supports binary, "
                    "multiclass (labels or one-hot) and multilabel-indicator targets."
                )
        n_seen = len(self.classes_) if self.classes is not None else len(observed)
        if n_seen < 2:
            raise ValueError(
                f"y has only one class ({observed.tolist()}); a classifier needs "
                "samples of at least two classes."
            )
        self.n_classes_ = len(self.classes_)
        return self

    def transform(self, y):
        """Encode ``y`` as class codes.

        Returns
        -------
        codes : ndarray
            ``(n,)`` int64 codes in ``0..n_classes_-1``, or an ``(n, k)``
            0/1 indicator for multilabel targets.
        """
        check_is_fitted(self)
        y = _as_array(y)
        if self.input_format_ == "indicator":
            if y.ndim != 2 or y.shape[1] != self.n_classes_:
                raise ValueError(
                    f"y must be an indicator matrix with {self.n_classes_} "
                    f"columns, got shape {y.shape}."
                )
            if sparse.issparse(y):
                # One dense (n, k) indicator: the targets of one output each.
                return (sparse.csr_matrix(y) != 0).toarray().astype(np.int64)
            return (y != 0).astype(np.int64)
        if y.ndim == 2:
            codes = _onehot_codes(y)
            if codes is None or y.shape[1] != self.n_classes_:
                raise ValueError(
                    f"A 2-D y must be one-hot with {self.n_classes_} columns "
                    f"(one per class), got shape {y.shape}."
                )
            return codes
        codes = np.searchsorted(self.classes_, y)
        codes = np.clip(codes, 0, self.n_classes_ - 1)
        unknown = self.classes_[codes] != y
        if unknown.any():
            raise ValueError(
                f"y holds labels {np.unique(y[unknown]).tolist()} that were not "
                f"seen during fit; known classes are {self.classes_.tolist()}."
            )
        return codes.astype(np.int64)

    def inverse_transform(self, codes):
        """Map class codes back to labels (an indicator stays an indicator)."""
        check_is_fitted(self)
        codes = np.asarray(codes)
        if self.input_format_ == "indicator":
            if getattr(self, "sparse_output_", False):
                return sparse.csr_matrix(codes.astype(np.int64))
            return codes.astype(np.int64)
        return self.classes_[codes]

    def as_predicted(self, y):
        """``y`` in the form :meth:`inverse_transform` gives, for scoring.

        A one-hot ``y`` (dense or sparse) becomes its 1-D labels and a
        sparse indicator the indicator predictions take; labels stay as
        they are (an unseen label then simply counts as wrong).
        """
        check_is_fitted(self)
        y = _as_array(y)
        if sparse.issparse(y) or (y.ndim == 2 and self.input_format_ != "indicator"):
            return self.inverse_transform(self.transform(y))
        return y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        return tags


def _onehot_codes(y):
    """The class code of each row of a one-hot ``y`` (dense or sparse), or None."""
    if sparse.issparse(y):
        return _sparse_onehot_codes(y)
    if not is_onehot(y):
        return None
    return y.argmax(axis=1).astype(np.int64)


def _sparse_onehot_codes(y):
    """Column of each row's single 1 in a scipy sparse one-hot ``y``, or None.

    Reads the stored entries only: no dense ``(n, k)`` array is made.
    Explicit zeros are ignored and duplicates summed, on a copy.
    """
    if y.ndim != 2 or y.shape[1] < 2 or y.shape[0] == 0:
        return None
    if y.dtype.kind not in "biuf":
        return None
    y = sparse.csr_matrix(y)  # a new object; its arrays may be the caller's
    if not y.has_canonical_format:
        y = y.copy()
        y.sum_duplicates()
    stored = y.data != 0
    if not (y.data[stored] == 1).all():
        return None
    row_of = np.repeat(np.arange(y.shape[0]), np.diff(y.indptr))[stored]
    if not (np.bincount(row_of, minlength=y.shape[0]) == 1).all():
        return None
    codes = np.empty(y.shape[0], dtype=np.int64)
    codes[row_of] = y.indices[stored]
    return codes


def _as_array(y):
    """Return ``y`` as an array; a column vector becomes 1-D.

    A scipy sparse ``y`` (a one-hot or multilabel indicator matrix) stays
    sparse: it is read without densifying.
    """
    if sparse.issparse(y):
        if y.ndim == 2 and y.shape[1] == 1:
            return y.toarray().ravel()
        return y
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    return y


def column_to_1d(y):
    """Ravel a column vector ``y`` with scikit-learn's DataConversionWarning."""
    if y.ndim == 2 and y.shape[1] == 1:
        return column_or_1d(y, warn=True)
    return y
