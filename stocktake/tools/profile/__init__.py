"""The profiler: what each asset holds and how good it is, how assets relate, and which data is personal.

Code outside this package imports from here. Behind it: ``profiler`` (an asset's full profile and quality score)
over ``local`` (its own profile, cached), which ``scan``, ``semantic``, ``issues``, ``table`` and
``time_histograms`` compute over ``db`` and ``context``; ``relations`` between assets; ``pii``, the one finder and
masker of personal data (patterns, value masking, column-name rules), which ``personal`` applies to columns and
stored profiles and ``masked_sql`` to SQL results; on demand from a profile, ``issue_query`` (the rows behind an
issue) and ``correlation``.
"""

from __future__ import annotations

from stocktake.tools.profile.correlation import correlations
from stocktake.tools.profile.db import quote
from stocktake.tools.profile.issue_query import issue_rows
from stocktake.tools.profile.local import (cache_path, compute_local_profile, local_profile, profiles_read_once,
                                          readable_profiles)
from stocktake.tools.profile.masked_sql import load_personal_columns, mask_by_source, select_masked
from stocktake.tools.profile.model import (ISSUE_KINDS, ColumnProfile, Issue, IssueKind, TableProfile, describe_keys,
                                          key_text)
from stocktake.tools.profile.names import is_id_name
from stocktake.tools.profile.personal import find_personal_columns, mask_profile, whole_columns
from stocktake.tools.profile.pii import MaskSettings, mask_record, mask_text, personal_name, secret_name
from stocktake.tools.profile.profiler import complete_profile, profile_all, profile_asset
from stocktake.tools.profile.relations import (READINGS, Relation, describe_coverage, find_relations, relations_from,
                                              share_text)
from stocktake.tools.profile.semantic import fingerprint, typo_distance_is_one

__all__ = [
    # profiles
    "ColumnProfile", "ISSUE_KINDS", "Issue", "IssueKind", "TableProfile", "describe_keys", "key_text", "profile_all", "profile_asset",
    "complete_profile", "quote",
    "cache_path", "compute_local_profile", "local_profile", "profiles_read_once", "readable_profiles",
    "correlations", "issue_rows",
    # semantic types
    "fingerprint", "is_id_name", "typo_distance_is_one",
    # relations
    "READINGS", "Relation", "describe_coverage", "find_relations", "relations_from", "share_text",
    # personal data
    "MaskSettings", "find_personal_columns", "load_personal_columns", "mask_by_source", "mask_profile",
    "mask_record", "mask_text", "personal_name", "secret_name", "select_masked", "whole_columns",
]
