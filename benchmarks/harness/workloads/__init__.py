"""Every workload, in table order; opt-in ones run only when named."""

from . import (
    cv_defaults,
    fit_circles,
    fresh_process,
    imports,
    large,
    loss_search,
    many_classes,
    one_row,
    plot,
    predict_many,
    probabilities,
    sparse_wide,
    tfidf,
)

WORKLOADS = (
    imports.WORKLOAD,
    fit_circles.WORKLOAD,
    predict_many.WORKLOAD,
    one_row.PREDICT_1,
    plot.WORKLOAD,
    many_classes.WORKLOAD,
    cv_defaults.WORKLOAD,
    loss_search.LOSS_SEARCH,
    loss_search.PARALLEL_SEARCH,
    one_row.ONE_ROW,
    fresh_process.WORKLOAD,
    tfidf.WORKLOAD,
    sparse_wide.WORKLOAD,
    large.WORKLOAD,
    probabilities.WORKLOAD,
)
BY_KEY = {w.key: w for w in WORKLOADS}
