"""Add the indexes behind a dataset's reuse block: published reuses by id, links by dataset.

Create Date: 2026-11-27 13:15:00
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "c7e9a1b3d5f7"
down_revision = "b2d4f6a8c012"


def upgrade():
    # Counting a dataset's published reuses walks its links and checks each reuse's state
    # in the index, instead of scanning the (wide) reuse table.
    op.create_index("reuse_tracker_reuse_state_id_idx", "reuse_tracker_reuse", ["state", "id"])
    # The gallery order (featured first, newest) read from an index: a dataset's first
    # reuses are found without sorting all of them.
    op.create_index("reuse_tracker_reuse_listing_idx", "reuse_tracker_reuse",
                    ["state", sa.text("featured DESC"),
                     sa.text("(coalesce(published, created)) DESC"), "id"])
    # A dataset's links read from the index alone.
    op.create_index("reuse_tracker_reuse_dataset_package_reuse_idx",
                    "reuse_tracker_reuse_dataset", ["package_id", "reuse_id"])
    op.drop_index("reuse_tracker_reuse_dataset_package_id_idx",
                  table_name="reuse_tracker_reuse_dataset")


def downgrade():
    op.create_index("reuse_tracker_reuse_dataset_package_id_idx",
                    "reuse_tracker_reuse_dataset", ["package_id"])
    op.drop_index("reuse_tracker_reuse_dataset_package_reuse_idx",
                  table_name="reuse_tracker_reuse_dataset")
    op.drop_index("reuse_tracker_reuse_listing_idx", table_name="reuse_tracker_reuse")
    op.drop_index("reuse_tracker_reuse_state_id_idx", table_name="reuse_tracker_reuse")
