"""A safe file format for fitted estimators: ``XentClassifier.save`` and ``load``.

A pickle runs arbitrary code when it is loaded.  An skxent file runs none:
it is a zip archive holding

* ``model.keras``: the network in Keras's native format (architecture as
  JSON, weights, optimizer state), loaded with ``safe_mode=True``, so a
  ``Lambda`` layer or any other Python code in it is refused;
* ``skxent.json``: plain data, the estimator's parameters and its fitted
  attributes (``classes_`` with its dtype, ``target_type_``, ``loss_``,
  ``n_features_in_``, ``history_``, the target encoder's state, ...).

Parameters that are neither plain data nor Keras objects (a ``body``
callable, an activation function, an optimizer class, callbacks) are code,
so they are not stored: the file records their names, and :func:`load`
gives them their default values and warns.  The loaded network is the
saved one, so ``predict``, ``partial_fit`` and ``warm_start`` work as
before; only a fresh ``fit`` would need the original code back, through
``set_params``.  Keras objects (a loss, optimizer or initializer instance)
are stored as their Keras config and rebuilt with ``safe_mode=True``.

Writing is crash-safe: :func:`save` writes a temporary file beside the
target and renames it over the target (``os.replace``), so a crash, a kill
or a full disk mid-save leaves the file that was there before intact.

This module does not import the estimator's: :func:`read` is given the
class to build, by :func:`skxent.load` (in :mod:`skxent._loading`).
Nothing here imports Keras at import time: ``import skxent`` stays free of
TensorFlow.
"""

import contextlib
import json
import os
import secrets
import stat
import tempfile
import warnings
import zipfile
import zlib

import numpy as np

from . import _interrupts
from ._keras import import_keras
from ._version import __version__

__all__ = [
    "model_from_bytes",
    "model_to_bytes",
    "read",
    "save",
    "write_atomically",
]

FORMAT = "skxent-classifier"
FORMAT_VERSION = 1
MODEL_ENTRY = "model.keras"
META_ENTRY = "skxent.json"
# Fitted attributes kept in their own form: the network and the encoder.
STRUCTURED = ("model_", "target_encoder_")
ENCODER_ATTRIBUTES = ("input_format_", "target_type_", "classes_", "n_classes_")
# Encoder attributes newer than format version 1 files, with their default.
OPTIONAL_ENCODER_ATTRIBUTES = {"sparse_output_": False}


class _NotPlainData(TypeError):
    """A value that is code, not data (a callable, a class, an object)."""


def _encode(value):
    """A JSON-ready form of ``value``; raise _NotPlainData for code."""
    keras = import_keras()

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return _encode(value.item())
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufUO":
            raise _NotPlainData(f"an array of dtype {value.dtype}")
        return {
            "type": "ndarray",
            "dtype": value.dtype.str,
            "shape": list(value.shape),
            "values": [_encode(v) for v in value.ravel().tolist()],
        }
    if isinstance(value, (list, tuple)):
        return {"type": type(value).__name__, "items": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {
            "type": "dict",
            "items": [[_encode(k), _encode(v)] for k, v in value.items()],
        }
    if isinstance(
        value,
        (keras.losses.Loss, keras.optimizers.Optimizer, keras.initializers.Initializer),
    ):
        return {"type": "keras", "config": keras.saving.serialize_keras_object(value)}
    raise _NotPlainData(type(value).__name__)


def _decode(value):
    """Invert :func:`_encode`; Keras objects are rebuilt in safe mode."""
    if not isinstance(value, dict):
        if isinstance(value, list):
            raise ValueError("a bare JSON list where a tagged value was expected")
        return value
    kind = value.get("type")
    if kind == "ndarray":
        values = [_decode(v) for v in value["values"]]
        array = np.empty(len(values), dtype=np.dtype(value["dtype"]))
        array[:] = values
        return array.reshape(value["shape"])
    if kind in ("list", "tuple"):
        items = [_decode(v) for v in value["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        return {_decode(k): _decode(v) for k, v in value["items"]}
    if kind == "keras":
        return import_keras().saving.deserialize_keras_object(
            value["config"], safe_mode=True
        )
    raise ValueError(f"unknown value type {kind!r}")


def _describe(value):
    """A name for a value that is not stored: ``module.qualname`` or its type."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_describe(item) for item in value) + "]"
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '?')}.{value.__qualname__}"
    return f"<{type(value).__module__}.{type(value).__qualname__} object>"


def save(estimator, path):
    """Write a fitted :class:`~skxent.XentClassifier` to ``path``.

    See :meth:`skxent.XentClassifier.save`.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    params, unrestored = {}, {}
    for name, value in estimator.get_params(deep=False).items():
        try:
            params[name] = _encode(value)
        except _NotPlainData:
            unrestored[name] = _describe(value)
    fitted = {}
    for name, value in vars(estimator).items():
        if name.startswith("_") or not name.endswith("_") or name in STRUCTURED:
            continue
        try:
            fitted[name] = _encode(value)
        except _NotPlainData as exc:
            raise TypeError(
                f"{name} holds {exc}, which the safe format stores only as plain "
                "data (numbers, strings, bools); save this estimator with pickle "
                "or joblib instead."
            ) from None
    encoder = estimator.target_encoder_
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skxent_version": __version__,
        "keras_version": import_keras().__version__,
        "params": params,
        "unrestored_params": unrestored,
        "fitted": fitted,
        "target_encoder": {
            "classes": _encode(encoder.classes),
            **{name: _encode(getattr(encoder, name)) for name in ENCODER_ATTRIBUTES},
            **{
                name: _encode(bool(getattr(encoder, name, default)))
                for name, default in OPTIONAL_ENCODER_ATTRIBUTES.items()
            },
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, MODEL_ENTRY)
        estimator.model_.save(model_path)

        def write(file):
            with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.write(model_path, MODEL_ENTRY)
                zf.writestr(META_ENTRY, json.dumps(meta, indent=1))

        write_atomically(path, write)


def model_to_bytes(model):
    """The network's ``.keras`` archive, as bytes (what :func:`save` stores)."""
    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, MODEL_ENTRY)
        model.save(model_path)
        with open(model_path, "rb") as file:
            return file.read()


def model_from_bytes(archive):
    """Invert :func:`model_to_bytes`, in safe mode; ValueError if Keras refuses."""
    from . import _keras_losses  # noqa: F401 (registers skxent's Keras losses)

    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, MODEL_ENTRY)
        with open(model_path, "wb") as file:
            file.write(archive)
        try:
            return import_keras().saving.load_model(model_path, safe_mode=True)
        except Exception as exc:  # Keras raises many types; all mean "refused"
            raise ValueError(
                f"its Keras model cannot be loaded in safe mode: {exc}"
            ) from None


def _create_beside(path):
    """A new, empty temporary file in ``path``'s directory: ``(fd, name)``.

    Created with mode 0o666 less the umask, as ``open(path, "w")`` would be,
    or with the mode of the file it will replace.
    """
    directory, name = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(temporary, flags, 0o666)
        except FileExistsError:  # a name drawn twice: draw again
            continue
        with contextlib.suppress(OSError):  # keep the replaced file's mode
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        return fd, temporary


def write_atomically(path, write):
    """Call ``write(file)`` on a temporary file, then move it to ``path``.

    The temporary file lies beside ``path`` (the same file system, so the
    move is an atomic ``os.replace``) and is flushed to disk first.  Whatever
    fails or interrupts the write, the file at ``path`` is left as it was
    and the temporary file is removed.  A symbolic link at ``path`` keeps
    pointing at the file it names, which is the one replaced.
    """
    path = os.path.realpath(os.fspath(path))
    with _interrupts.deferred():  # Ctrl-C must not leave the file it creates
        fd, temporary = _create_beside(path)
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read(path, estimator_class, *, stacklevel=2):
    """Read a file written by :func:`save` as an ``estimator_class`` instance.

    The public entry point is :func:`skxent.load`; ``stacklevel`` points the
    warning about unrestored parameters at its caller.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if META_ENTRY not in names or MODEL_ENTRY not in names:
                raise ValueError(
                    f"{os.fspath(path)!r} is a zip file but not an skxent file: it "
                    f"has no {META_ENTRY} and {MODEL_ENTRY}."
                )
            meta_bytes = archive.read(META_ENTRY)
            model_bytes = archive.read(MODEL_ENTRY)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValueError(
            f"{os.fspath(path)!r} is not a readable skxent file (truncated or "
            f"corrupt): {exc}"
        ) from None
    try:
        meta = json.loads(meta_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"{META_ENTRY} in {os.fspath(path)!r} is not JSON: {exc}"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{os.fspath(path)!r} is not an skxent classifier file.")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} has format version {meta.get('format_version')!r}; "
            f"this skxent reads version {FORMAT_VERSION}."
        )
    try:
        estimator = _restore(meta, model_bytes, estimator_class)
    except ValueError as exc:
        raise ValueError(f"Cannot load {os.fspath(path)!r}: {exc}") from None
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ValueError(
            f"Cannot load {os.fspath(path)!r}: its {META_ENTRY} is malformed "
            f"({type(exc).__name__}: {exc})."
        ) from None
    if meta["unrestored_params"]:
        warnings.warn(
            "These parameters were code, which a safe file does not hold, and "
            "have their default values: "
            + ", ".join(f"{k}={v}" for k, v in meta["unrestored_params"].items())
            + ". The loaded network is the saved one; set them with set_params "
            "before a fresh fit.",
            UserWarning,
            stacklevel=stacklevel,
        )
    return estimator


def _restore(meta, model_bytes, estimator_class):
    # _keras_losses registers skxent's Keras losses, which a file may name.
    from . import _keras_losses  # noqa: F401
    from ._loss_rules import LOSSES
    from ._params import ROUTES
    from ._targets import TargetEncoder

    params = {name: _decode(value) for name, value in meta["params"].items()}
    known = estimator_class._get_param_names()
    for name in params:
        routed = "__" in name and name.split("__", 1)[0] in ROUTES
        if not (name in known or (routed and name.isidentifier())):
            raise ValueError(f"unknown parameter {name!r}")
    estimator = estimator_class(**params)
    estimator._check_params()

    encoder = TargetEncoder(classes=_decode(meta["target_encoder"]["classes"]))
    for name in ENCODER_ATTRIBUTES:
        setattr(encoder, name, _decode(meta["target_encoder"][name]))
    for name, default in OPTIONAL_ENCODER_ATTRIBUTES.items():
        setattr(encoder, name, bool(meta["target_encoder"].get(name, default)))
    fitted = {name: _decode(value) for name, value in meta["fitted"].items()}
    for name in fitted:
        if not (name.isidentifier() and name.endswith("_")) or name[0] == "_":
            raise ValueError(f"{name!r} is not a fitted attribute")
        if name in STRUCTURED:
            raise ValueError(f"{name!r} cannot be given as plain data")

    model = model_from_bytes(model_bytes)

    _check_consistent(fitted, encoder, model, LOSSES)
    estimator._set_fitted({**fitted, "target_encoder_": encoder}, model)
    return estimator


def _check_consistent(fitted, encoder, model, losses):
    """Refuse fitted state that does not describe this network."""
    missing = {"classes_", "n_classes_", "n_features_in_", "target_type_", "loss_"}
    missing -= set(fitted)
    if missing:
        raise ValueError(f"fitted attributes {sorted(missing)} are missing")
    classes = fitted["classes_"]
    if not isinstance(classes, np.ndarray) or classes.ndim != 1:
        raise ValueError("classes_ is not a 1-D array")
    if len(classes) < 2 or not (classes[1:] > classes[:-1]).all():
        raise ValueError("classes_ is not a sorted array of two or more labels")
    if fitted["n_classes_"] != len(classes) or encoder.n_classes_ != len(classes):
        raise ValueError(
            f"n_classes_={fitted['n_classes_']} does not match the "
            f"{len(classes)} classes_"
        )
    if not np.array_equal(encoder.classes_, classes):
        raise ValueError("the target encoder's classes differ from classes_")
    target_type = fitted["target_type_"]
    if target_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"unknown target_type_ {target_type!r}")
    if encoder.target_type_ != target_type:
        raise ValueError("the target encoder's target type differs from target_type_")
    if encoder.input_format_ not in ("labels", "onehot", "indicator"):
        raise ValueError(f"unknown target input format {encoder.input_format_!r}")
    if fitted["loss_"] not in losses:
        raise ValueError(f"unknown loss_ {fitted['loss_']!r}")
    n_outputs = losses[fitted["loss_"]].n_outputs(target_type, len(classes))
    if tuple(model.input_shape) != (None, fitted["n_features_in_"]):
        raise ValueError(
            f"the network takes input of shape {model.input_shape}, but "
            f"n_features_in_={fitted['n_features_in_']}"
        )
    if tuple(model.output_shape) != (None, n_outputs):
        raise ValueError(
            f"the network has output shape {model.output_shape}, but "
            f"loss_={fitted['loss_']!r} on {len(classes)} classes needs {n_outputs}"
        )
    names = fitted.get("feature_names_in_")
    if names is not None and names.shape != (fitted["n_features_in_"],):
        raise ValueError("feature_names_in_ does not match n_features_in_")
