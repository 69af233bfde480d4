"""The ``skxent`` command (also ``python -m skxent``).

``skxent demo`` solves the tutorial's two problems and writes their
figures; ``skxent compare`` cross-validates a search over losses on a CSV
file.  Errors the user can fix (a missing file or column, a one-class
target, a non-numeric feature, an output path that cannot be written) end
in one line on stderr and exit status 1.
"""

import argparse
import csv
import os
import sys
from collections import Counter

import numpy as np

from ._loss_rules import LOSSES
from .comparison import DEFAULT_LOSSES

__all__ = ["main", "read_csv"]


class UsageError(Exception):
    """A problem with the user's input, reported as one line."""


def read_csv(path, target):
    """Features and target of a CSV file with a header row.

    Read with Python's ``csv`` module (pandas is not needed): every column
    but ``target`` must hold numbers; the target may hold any labels, kept
    as strings.

    Parameters
    ----------
    path : str or path
    target : str
        Name of the target column.

    Returns
    -------
    X : ndarray of shape (n_rows, n_features), float64
    y : ndarray of shape (n_rows,), str
    features : list of str
        The feature columns' names, in order.

    Raises
    ------
    UsageError
        If the file cannot be read, has no ``target`` column, no feature
        column, a ragged or empty row, or a feature that is not a number.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            rows = [row for row in csv.reader(file) if row]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise UsageError(f"cannot read {path}: {reason}") from None
    if not rows:
        raise UsageError(f"{path} is empty; expected a header row and data rows.")
    header, rows = rows[0], rows[1:]
    if target not in header:
        raise UsageError(
            f"{path} has no column {target!r}; its columns are "
            f"{', '.join(map(repr, header))}."
        )
    if len(header) < 2:
        raise UsageError(f"{path} has no feature column besides {target!r}.")
    if not rows:
        raise UsageError(f"{path} has a header but no data rows.")
    t = header.index(target)
    features = header[:t] + header[t + 1 :]
    X = np.empty((len(rows), len(features)))
    y = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        line = i + 2
        if len(row) != len(header):
            raise UsageError(
                f"{path}, line {line}: {len(row)} fields, but the header has "
                f"{len(header)}."
            )
        y[i] = row[t].strip()
        for j, value in enumerate(row[:t] + row[t + 1 :]):
            try:
                X[i, j] = float(value)
            except ValueError:
                raise UsageError(
                    f"{path}, line {line}: feature column {features[j]!r} holds "
                    f"{value!r}, not a number; encode non-numeric features first."
                ) from None
    return X, y.astype(str), features


def _headless():
    """Select matplotlib's Agg backend: the commands only write files."""
    try:
        import matplotlib
    except ImportError:
        raise UsageError(
            "figures need matplotlib: pip install 'skxent[plot]'"
        ) from None
    matplotlib.use("Agg")


def _demo(args):
    from .demo import run_demo

    _headless()
    run_demo(args.out)
    return 0


def _compare(args):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import XentClassifier
    from .comparison import compare_losses, loss_table

    X, y, features = read_csv(args.data, args.target)
    counts = Counter(y.tolist())
    if len(counts) < 2:
        raise UsageError(
            f"target column {args.target!r} has only one class "
            f"({next(iter(counts))!r}); a classifier needs at least two."
        )
    rarest, n_rarest = min(counts.items(), key=lambda item: item[1])
    if n_rarest < args.cv:
        raise UsageError(
            f"class {rarest!r} of {args.target!r} has {n_rarest} row(s); "
            f"--cv {args.cv} needs at least {args.cv} rows of every class."
        )
    print(
        f"{args.data}: {len(y)} rows, {len(features)} features, target "
        f"{args.target!r} with {len(counts)} classes",
        flush=True,
    )
    print(
        f"cross-validating {len(args.losses)} losses x {args.cv} folds "
        f"(standardised features, {args.epochs} epochs of batch {args.batch_size}) "
        "...",
        flush=True,
    )
    estimator = make_pipeline(
        StandardScaler(),
        XentClassifier(
            epochs=args.epochs,
            batch_size=args.batch_size,
            random_state=args.random_state,
        ),
    )
    try:
        search = compare_losses(X, y, estimator, losses=args.losses, cv=args.cv)
    except ValueError as exc:
        raise UsageError(str(exc).splitlines()[0]) from None
    print(loss_table(search))
    if args.figure:
        _headless()
        from .plotting import DPI, plot_loss_comparison

        ax = plot_loss_comparison(search)
        ax.set_title(f"{os.path.basename(args.data)}: predicting {args.target!r}")
        ax.figure.savefig(args.figure, dpi=DPI, bbox_inches="tight")
        print(f"figure written to {args.figure}")
    return 0


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def build_parser():
    """The ``skxent`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="skxent",
        description="A scikit-learn classifier on Keras that picks its own "
        "crossentropy.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="solve the Keras loss tutorial's circles and four blobs",
        description="Train on the tutorial's circles (binary crossentropy) and "
        "four blobs with one-hot targets (categorical crossentropy); print each "
        "test accuracy and write a decision-region and a loss-curve PNG per "
        "problem.",
    )
    demo.add_argument(
        "--out", default="out", help="directory for the figures (default: out)"
    )
    demo.set_defaults(run=_demo)

    compare = commands.add_parser(
        "compare",
        help="cross-validate crossentropy against hinge losses on a CSV file",
        description="A cross-validated grid search over losses on a CSV file "
        "with a header row: numeric feature columns and one target column. "
        "Features are standardised. Prints accuracy, log-loss (n/a for losses "
        "without probabilities) and fit time per loss.",
    )
    compare.add_argument("data", help="CSV file with a header row")
    compare.add_argument("--target", required=True, help="name of the target column")
    compare.add_argument(
        "--losses",
        nargs="+",
        choices=sorted(LOSSES),
        default=list(DEFAULT_LOSSES),
        metavar="LOSS",
        help=f"losses to compare, of {', '.join(sorted(LOSSES))} "
        f"(default: {' '.join(DEFAULT_LOSSES)})",
    )
    compare.add_argument(
        "--cv",
        type=_positive_int,
        default=5,
        help="stratified cross-validation folds (default: %(default)s)",
    )
    compare.add_argument(
        "--epochs",
        type=_positive_int,
        default=100,
        help="passes over the data per fit (default: %(default)s)",
    )
    compare.add_argument(
        "--batch-size",
        type=_positive_int,
        default=32,
        help="samples per gradient step (default: %(default)s)",
    )
    compare.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the networks' weights and shuffling (default: %(default)s)",
    )
    compare.add_argument("--figure", help="also write a bar chart to this PNG file")
    compare.set_defaults(run=_compare)
    return parser


def main(argv=None):
    """Run the ``skxent`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "compare" and args.cv < 2:
        parser.error("--cv must be at least 2")
    try:
        return args.run(args)
    except (UsageError, ImportError, OSError) as exc:
        # OSError: an output file or directory that cannot be written.
        print(f"skxent {args.command}: error: {exc}", file=sys.stderr)
        return 1
