"""The benchmark harness behind ``python benchmarks/run.py``.

- ``cli``: options and the main loop (workload x contender x backend);
- ``spec``: what a workload, a contender's row and a network are;
- ``runner``: fresh child processes, timing, peak memory, JSON results;
- ``goals``: the issues' bounds, each judged on one row;
- ``report``: the Markdown table, ratios and the machine it ran on;
- ``contenders/``: one module per contender family, each building its
  estimator as that library's users write it;
- ``workloads/``: one module per workload (data, sizes, what is timed).
"""
