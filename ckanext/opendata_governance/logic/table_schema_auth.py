"""Who may list the Table Schemas offered in the resource form."""
from __future__ import annotations

from ckanext.suite import auth as suite_auth

__all__ = ["governance_table_schema_list"]

#: Everyone: the list only holds what the caller may already read.
governance_table_schema_list = suite_auth.public
