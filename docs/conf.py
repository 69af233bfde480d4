"""Sphinx configuration: ``python -m sphinx -W -b html docs docs/_build/html``."""

import os

import skxent

project = "skxent"
author = "the skxent developers"
copyright = "the skxent developers"
release = version = skxent.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_static_path = ["_static"]
# scikit-learn's and imbalanced-learn's theme: a navigation bar, a light and
# a dark mode, and code blocks that scroll sideways instead of being cut.
html_theme = "pydata_sphinx_theme"
html_title = f"skxent {release}"
html_css_files = ["skxent.css"]
html_theme_options = {
    "navbar_align": "left",
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

autosummary_generate = True
autodoc_default_options = {
    "members": True,
    # scikit-learn's metadata-routing setters: their docstrings refer to
    # scikit-learn's own glossary.
    "exclude-members": "set_fit_request, set_partial_fit_request, "
    "set_score_request, set_inverse_transform_request",
}
# The class docstring lists the methods; no autosummary table of members
# (it would need a stub page per method).
numpydoc_show_class_members = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    # SKXENT_DOCS_PLOT_GALLERY=0 converts the examples without running them
    # (tests/test_docs.py does; tests/test_examples.py runs them).
    "plot_gallery": os.environ.get("SKXENT_DOCS_PLOT_GALLERY", "1") == "1",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
}
