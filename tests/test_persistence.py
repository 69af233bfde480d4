"""Persistence: pickle and joblib, and the safe format of ``save`` / ``skxent.load``.

``save`` is crash-safe: it writes a temporary file beside the target and
renames it over the target, so a failure at any point of the write leaves
the file that was there before byte for byte (``CRASH_POINTS``).
"""

import copy
import errno
import json
import os
import pickle
import stat
import warnings
import zipfile

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs

import skxent
from skxent import XentClassifier

QUICK = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=32, random_state=0)


def blobs(n=60, centers=2):
    X, y = make_blobs(n, centers=centers, random_state=0)
    return X.astype(np.float32), y


def _binary_strings():
    X, y = blobs(80)
    frame = pd.DataFrame(X, columns=["width", "height"])
    return XentClassifier(**QUICK).fit(frame, np.array(["no", "yes"])[y]), frame


def _multiclass_onehot():
    X, y = blobs(90, centers=3)
    return XentClassifier(**QUICK).fit(X, keras.utils.to_categorical(y)), X


def _multilabel():
    X, _ = blobs(90, centers=3)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X.sum(axis=1) > 2]).astype(int)
    return XentClassifier(**QUICK).fit(X, Y), X


def _hinge_bools():
    X, y = blobs(90, centers=3)
    labels = y > 0
    return XentClassifier(**QUICK, loss="hinge").fit(X, labels), X


def _multiclass_ints_keras_objects():
    X, y = blobs(90, centers=3)
    clf = XentClassifier(
        **QUICK,
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
        optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.5),
        class_weight={10: 1.0, 11: 2.0, 12: 1.0},
    )
    return clf.fit(X, y + 10), X


PERSISTED = {
    "binary_strings_pandas": _binary_strings,
    "multiclass_onehot": _multiclass_onehot,
    "multilabel": _multilabel,
    "hinge_bools": _hinge_bools,
    "multiclass_ints_keras_objects": _multiclass_ints_keras_objects,
}


@pytest.fixture(scope="module")
def persisted():
    return {name: make() for name, make in PERSISTED.items()}


def assert_predicts_identically(restored, clf, X):
    np.testing.assert_array_equal(
        restored.decision_function(X), clf.decision_function(X)
    )
    predicted = restored.predict(X)
    np.testing.assert_array_equal(predicted, clf.predict(X))
    assert predicted.dtype == clf.predict(X).dtype
    if hasattr(clf, "predict_proba"):
        np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("name", list(PERSISTED)[:4])
def test_pickle_and_joblib_round_trips(name, persisted, tmp_path):
    clf, X = persisted[name]
    assert_predicts_identically(pickle.loads(pickle.dumps(clf)), clf, X)
    joblib.dump(clf, tmp_path / "clf.joblib")
    assert_predicts_identically(joblib.load(tmp_path / "clf.joblib"), clf, X)


@pytest.mark.parametrize("name", list(PERSISTED))
def test_save_and_load_round_trip(name, persisted, tmp_path):
    clf, X = persisted[name]
    path = tmp_path / "clf.skxent"
    clf.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # every parameter is data
        restored = skxent.load(path)
    assert_predicts_identically(restored, clf, X)
    assert restored.classes_.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(restored.classes_, clf.classes_)
    for attribute in ("n_features_in_", "target_type_", "loss_", "n_iter_"):
        assert getattr(restored, attribute) == getattr(clf, attribute)
    assert restored.history_ == clf.history_
    if hasattr(clf, "feature_names_in_"):
        np.testing.assert_array_equal(restored.feature_names_in_, clf.feature_names_in_)
    params, restored_params = clf.get_params(), restored.get_params()
    assert params.keys() == restored_params.keys()
    for key, value in params.items():
        if isinstance(value, (keras.losses.Loss, keras.optimizers.Optimizer)):
            assert type(restored_params[key]) is type(value)
            assert restored_params[key].get_config() == value.get_config()
        else:
            assert restored_params[key] == value, key


def test_loaded_estimator_keeps_training(persisted, tmp_path):
    clf, X = persisted["multiclass_ints_keras_objects"]
    y = clf.predict(X)
    clf.save(tmp_path / "clf.skxent")
    restored = skxent.load(tmp_path / "clf.skxent")
    steps = int(clf.model_.optimizer.iterations)
    assert steps > 0 and int(restored.model_.optimizer.iterations) == steps
    assert int(pickle.loads(pickle.dumps(clf)).model_.optimizer.iterations) == steps
    # The optimizer state travelled too: both continue the same way.
    online, reference = restored.partial_fit(X, y), copy.deepcopy(clf).partial_fit(X, y)
    assert online.n_iter_ == clf.n_iter_ + 1
    np.testing.assert_array_equal(online.predict_proba(X), reference.predict_proba(X))
    restored.set_params(warm_start=True).fit(X, y)
    assert restored.n_iter_ == clf.n_iter_ + 1 + QUICK["epochs"]
    assert clone(restored).fit(X, y).score(X, y) > 0.5


def dense_body(meta, units=6):
    return keras.layers.Dense(units, activation="relu", name="custom")


def test_code_parameters_are_not_saved_and_load_warns(tmp_path):
    X, y = blobs()
    clf = XentClassifier(
        **QUICK,
        body=dense_body,
        body__units=5,
        callbacks=[keras.callbacks.TerminateOnNaN()],
    ).fit(X, y)
    clf.save(tmp_path / "clf.skxent")
    with pytest.warns(
        UserWarning, match=r"body=\S*\.dense_body, callbacks=\[<keras\."
    ) as record:
        restored = skxent.load(tmp_path / "clf.skxent")
    assert "set_params" in str(record[0].message)
    assert restored.body is None and restored.callbacks is None
    assert restored.get_params()["body__units"] == 5
    assert_predicts_identically(restored, clf, X)


def test_load_refuses_a_model_that_would_run_code(tmp_path):
    X, y = blobs()
    clf = XentClassifier(
        **QUICK, body=lambda meta: keras.layers.Lambda(lambda x: 2 * x)
    ).fit(X, y)
    clf.save(tmp_path / "lambda.skxent")
    with pytest.raises(ValueError, match="cannot be loaded in safe mode.*Lambda"):
        skxent.load(tmp_path / "lambda.skxent")


def _rewrite(path, edit):
    """Rewrite the JSON of a saved file with ``edit(meta)``."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(entries["skxent.json"])
    edit(meta)
    entries["skxent.json"] = json.dumps(meta)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _foreign_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")


def _extra_class(meta):
    classes = meta["fitted"]["classes_"]
    classes["values"].append("zzz")
    classes["shape"] = [len(classes["values"])]


def _set(section, key, value):
    return lambda meta: meta[section].__setitem__(key, value)


@pytest.mark.parametrize(
    "tamper, match",
    [
        pytest.param(_truncate, "truncated or corrupt", id="truncated"),
        pytest.param(
            lambda p: p.write_text("not a zip"), "truncated or corrupt", id="not_zip"
        ),
        pytest.param(_foreign_zip, "not an skxent file", id="other_zip"),
        pytest.param(
            lambda p: _rewrite(p, _extra_class),
            "n_classes_=2 does not match the 3 classes_",
            id="extra_class",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("fitted", "n_features_in_", 5)),
            r"input of shape \(None, 2\), but n_features_in_=5",
            id="n_features",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("fitted", "loss_", "categorical_hinge")),
            "needs 2",
            id="loss_vs_output_layer",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("params", "__class__", "x")),
            "unknown parameter '__class__'",
            id="unknown_param",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("params", "epochs", -5)),
            r"'epochs' parameter of XentClassifier must be an int in the range",
            id="invalid_param",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("fitted", "_inference", 1)),
            "not a fitted attribute",
            id="private_attribute",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("fitted", "classes_", [1, 2])),
            "bare JSON list",
            id="untagged_value",
        ),
        pytest.param(
            lambda p: _rewrite(p, lambda m: m["fitted"].pop("target_type_")),
            r"missing",
            id="missing_attribute",
        ),
        pytest.param(
            lambda p: _rewrite(p, lambda m: m.__setitem__("format_version", 99)),
            "format version 99",
            id="newer_format",
        ),
    ],
)
def test_load_refuses_broken_or_tampered_files(tamper, match, persisted, tmp_path):
    clf, _ = persisted["binary_strings_pandas"]
    path = tmp_path / "clf.skxent"
    clf.save(path)
    tamper(path)
    with pytest.raises(ValueError, match=match):
        skxent.load(path)


# -- crash-safe save -------------------------------------------------------------


def _fail(error):
    def fail(*args, **kwargs):
        raise error

    return fail


def _half_then_disk_full(original):
    """``ZipFile.writestr`` that writes half its data, then finds the disk full."""

    def writestr(self, name, data, *args, **kwargs):
        original(self, name, data[: len(data) // 2], *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    return writestr


DISK_FULL = OSError(errno.ENOSPC, "No space left on device")

# (name, (object, attribute), replacement given the original, error raised):
# each a point of XentClassifier.save at which a crash is injected.
CRASH_POINTS = [
    ("keras_model_save", (keras.Model, "save"), lambda _: _fail(DISK_FULL), OSError),
    (
        "zip_model_entry",
        (zipfile.ZipFile, "write"),
        lambda _: _fail(DISK_FULL),
        OSError,
    ),
    (
        "zip_json_entry_half_written",
        (zipfile.ZipFile, "writestr"),
        _half_then_disk_full,
        OSError,
    ),
    (
        "interrupted_mid_archive",
        (zipfile.ZipFile, "writestr"),
        lambda _: _fail(KeyboardInterrupt()),
        KeyboardInterrupt,
    ),
    ("fsync", (os, "fsync"), lambda _: _fail(DISK_FULL), OSError),
    (
        "rename",
        (os, "replace"),
        lambda _: _fail(PermissionError(errno.EACCES, "Permission denied")),
        PermissionError,
    ),
]


@pytest.mark.parametrize(
    "target, make_replacement, error",
    [pytest.param(t, m, e, id=name) for name, t, m, e in CRASH_POINTS],
)
def test_a_save_that_fails_midway_loses_nothing(
    target, make_replacement, error, persisted, tmp_path, monkeypatch
):
    old, X = persisted["binary_strings_pandas"]
    new, _ = persisted["multiclass_onehot"]
    path = tmp_path / "clf.skxent"
    old.save(path)
    before = path.read_bytes()
    owner, attribute = target
    monkeypatch.setattr(owner, attribute, make_replacement(getattr(owner, attribute)))
    with pytest.raises(error):
        new.save(path)
    with pytest.raises(error):
        new.save(tmp_path / "new.skxent")  # no file there before: none after
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["clf.skxent"]  # no temp file
    assert_predicts_identically(skxent.load(path), old, X)


def test_save_replaces_a_file_and_keeps_its_mode(persisted, tmp_path):
    old, _ = persisted["binary_strings_pandas"]
    new, X = persisted["multiclass_onehot"]
    path = tmp_path / "clf.skxent"
    old.save(path)
    path.chmod(0o640)
    link = tmp_path / "link.skxent"
    link.symlink_to(path)
    new.save(link)  # through a link: the file it names is replaced
    assert link.is_symlink() and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert_predicts_identically(skxent.load(path), new, X)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clf.skxent", "link.skxent"]


def test_a_new_file_gets_the_mode_open_would_give(persisted, tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    persisted["multilabel"][0].save(tmp_path / "clf.skxent")
    mode = stat.S_IMODE((tmp_path / "clf.skxent").stat().st_mode)
    assert mode == 0o666 & ~umask
