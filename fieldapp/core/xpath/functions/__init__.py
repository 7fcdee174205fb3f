"""The function library: ODK's "form operators and functions".

Functions are declared in :mod:`~fieldapp.core.xpath.functions.registry` and registered by one
module per family: logic and conversion, numbers, node-sets and repeats, strings, select
answers, dates, geography, and the data shipped with a form. Implementations never raise for bad data: they return NaN, '' or False as XPath
does.
"""

from fieldapp.core.xpath.functions import (  # noqa: F401 - importing a family registers it
    external, geo, logic, nodesets, numeric, selects, temporal, text)
from fieldapp.core.xpath.functions.registry import FUNCTIONS, FunctionSpec, check_call
from fieldapp.core.xpath.functions.selects import choice_name_field

__all__ = ["FUNCTIONS", "READS_CURRENT", "SUPPORTED_FUNCTIONS", "FunctionSpec", "check_call",
           "choice_name_field"]

SUPPORTED_FUNCTIONS: frozenset[str] = frozenset(FUNCTIONS)
READS_CURRENT: frozenset[str] = frozenset(n for n, s in FUNCTIONS.items() if s.reads_current)
