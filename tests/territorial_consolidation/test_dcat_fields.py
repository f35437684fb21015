"""Nothing the recorded DCAT files gave the hand-written mapping is lost on ckanext-dcat's
parser (``fields_before.json``, written by ``dcat_fields.py`` before the change)."""
from __future__ import annotations

import json
from typing import Any

from tests.territorial_consolidation import dcat_fields

#: Fields whose value changed on ckanext-dcat's parser for the better, by input, remote
#: id and field, with the value now given: none so far (every field is equal).
BETTER: dict[tuple[str, str, str], Any] = {}


def test_every_field_the_hand_written_mapping_gave_is_kept() -> None:
    """Per file, dataset and field (extras and resources included), the value is the one
    the hand-written mapping gave, or the documented better one."""
    before = json.loads(dcat_fields.BEFORE.read_text())
    after = dcat_fields.records()

    assert sorted(after) == sorted(before)
    lost = []
    for name, datasets in before.items():
        assert sorted(after[name]) == sorted(datasets), name
        for remote_id, fields in datasets.items():
            for field, value in fields.items():
                expected = BETTER.get((name, remote_id, field), value)
                if after[name][remote_id].get(field) != expected:
                    lost.append((name, remote_id, field, value,
                                 after[name][remote_id].get(field)))
    assert lost == []
    # Three inputs, three datasets in all, each with resources, tags and a licence.
    assert sum(len(datasets) for datasets in before.values()) == 6


def test_the_record_kept_has_no_blank_node_ids() -> None:
    """Blank-node labels change at every parse: the records (hashed to tell a change)
    of two parses of the same bytes are equal."""
    assert dcat_fields.records() == dcat_fields.records()
