"""``available_if``: scikit-learn's decorator, with an error that says why.

scikit-learn's ``available_if`` raises an ``AttributeError`` that says only
that the method is missing, its reason hidden in ``__cause__``; this one
raises the check's own ``AttributeError``, so the message says why.
"""

import functools
from types import MethodType

__all__ = ["available_if"]


class _AvailableIf:
    """A method that exists only where ``check(obj)`` does not raise."""

    def __init__(self, fn, check):
        self.fn = fn
        self.check = check
        functools.update_wrapper(self, fn)

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.fn  # on the class: the function, for documentation
        self.check(obj)  # raises AttributeError(why), so hasattr is False
        return MethodType(self.fn, obj)


def available_if(check):
    """Make a method available only where ``check(obj)`` raises no error.

    ``check`` raises ``AttributeError`` with the reason; ``hasattr`` is
    then False and calling the method gives that message.

    Examples
    --------
    >>> def _check(obj):
    ...     if not obj.ok:
    ...         raise AttributeError("not ok")
    >>> class A:
    ...     ok = False
    ...     @available_if(_check)
    ...     def f(self):
    ...         return 1
    >>> hasattr(A(), "f")
    False
    >>> A().f()
    Traceback (most recent call last):
    ...
    AttributeError: not ok
    """
    return lambda fn: _AvailableIf(fn, check)
