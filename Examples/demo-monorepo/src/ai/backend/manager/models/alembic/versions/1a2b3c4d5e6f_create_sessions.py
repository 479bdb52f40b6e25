"""create the sessions table

Revision ID: 1a2b3c4d5e6f
Revises: 
Create Date: 2026-02-01 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "1a2b3c4d5e6f"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("sessions", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("sessions")
