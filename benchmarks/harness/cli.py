"""Options and the main loop: every selected workload, contender and backend.

Prints the machine, one Markdown table of times, ratios, goals, accuracies
and peak memory, and notes on each workload's configuration; ``--json``
saves every raw measurement.  Each row runs in fresh processes (runner.py).
"""

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

from . import report, runner
from .machine import describe, machine
from .spec import DEFAULT_BACKEND, FAMILIES
from .workloads import BY_KEY, WORKLOADS

USAGE = """\
Workloads (opt-in ones run only when named by --only, or with --all):
{workloads}

Goals are judged under the default backend (TensorFlow), as the issues
state them, except where a goal names its backend; other rows are reported.
"""


def workload_key(text):
    key = text.replace("_", "-")
    if key not in BY_KEY:
        raise argparse.ArgumentTypeError(f"unknown workload {text!r}")
    return key


def parse_args(argv):
    listing = "\n".join(
        f"  {w.key:16} {w.title}{' (opt-in)' if w.opt_in else ''}" for w in WORKLOADS
    )
    parser = argparse.ArgumentParser(
        description="skxent against SciKeras, raw Keras, MLPClassifier and a "
        "linear model: times, ratios, goals, accuracy, peak memory.",
        epilog=USAGE.format(workloads=listing),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--repeat", type=int, default=3, metavar="N", help="timed runs (default 3)")
    add(
        "--repeat-many",
        type=int,
        default=1,
        metavar="N",
        help="timed fits of the big workloads: many-classes, sparse-wide, large "
        "(default 1)",
    )
    add(
        "--import-runs",
        type=int,
        default=5,
        metavar="N",
        help="fresh interpreters per import or fresh-process row (default 5)",
    )
    add(
        "--only",
        action="append",
        type=workload_key,
        metavar="WORKLOAD",
        help="run only this workload (repeatable; '_' or '-')",
    )
    add("--all", action="store_true", help="also run the opt-in workloads")
    add(
        "--contenders",
        nargs="+",
        choices=list(FAMILIES),
        default=list(FAMILIES),
        help="contender families to run (default all)",
    )
    add(
        "--backend",
        default=DEFAULT_BACKEND,
        metavar="B[,B...]",
        help="Keras backends for skxent rows, e.g. tensorflow,jax,torch; other "
        "Keras contenders run under the first (default tensorflow)",
    )
    add(
        "--timeout",
        type=float,
        default=3600,
        metavar="S",
        help="seconds a row may run before it is an error (3600)",
    )
    add("--quick", action="store_true", help="tiny sizes: a smoke run of the harness")
    add("--json", metavar="PATH", help="also save the raw results here")
    add("--child", nargs=2, help=argparse.SUPPRESS)
    add("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    if args.quick:
        args.repeat = args.repeat_many = args.import_runs = 1
    return args


def selected(args):
    if args.only:
        return [w for w in WORKLOADS if w.key in args.only]
    return [w for w in WORKLOADS if args.all or not w.opt_in]


def sizes_of(workload, args):
    return workload.quick if args.quick else workload.full


def run_all(workloads, args):
    results, started = {}, time.perf_counter()
    for workload in workloads:
        options = SimpleNamespace(
            repeats=getattr(args, workload.repeats),
            quick=args.quick,
            timeout=args.timeout,
            sizes=sizes_of(workload, args),
        )
        for variant in workload.variants:
            if variant.family not in args.contenders:
                continue
            for backend in report.row_backends(variant, args.backends):
                start = time.perf_counter()
                keras_backend = None if backend == report.NONE else backend
                result = runner.run_row(workload, variant, keras_backend, options)
                results.setdefault(workload.key, {}).setdefault(variant.key, {})
                results[workload.key][variant.key][backend] = result
                print(
                    f"[{time.perf_counter() - started:5.0f} s] {workload.key} "
                    f"{variant.key} {backend}: {time.perf_counter() - start:.1f} s, "
                    f"{result.get('error', 'ok')}",
                    file=sys.stderr,
                    flush=True,
                )
    return results


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        workload = BY_KEY[args.child[0]]
        runner.child(
            workload, args.child[1], sizes_of(workload, args), args.repeat, args.out
        )
        return 0
    workloads = selected(args)
    info = machine(args.backends)
    results = run_all(workloads, args)
    print(describe(info))
    if args.quick:
        print("\n--quick: tiny sizes, a smoke run; these figures mean nothing.")
    print()
    print(report.table(results, workloads, args.backends))
    print()
    for workload in workloads:
        for note in workload.notes(sizes_of(workload, args), args):
            print(f"- {note}")
    print(f"- {report.__doc__.split(chr(10) + chr(10))[1]}".replace("\n", " "))
    if args.json:
        options = {k: v for k, v in vars(args).items() if k not in ("child", "out")}
        raw = {
            "machine": info,
            "sizes": {w.key: asdict(sizes_of(w, args)) for w in workloads},
            "options": options,
            "results": results,
        }
        Path(args.json).write_text(json.dumps(raw, indent=1))
    failed = any(
        "error" in r for w in results.values() for v in w.values() for r in v.values()
    )
    return 1 if failed else 0
