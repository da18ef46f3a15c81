"""offline answers sealed: the counsellor's answer to an offline request is kept encrypted

The clear `answer` column is dropped with what it held: a migration has no key to seal it
with, and every answer already recorded is kept, sealed, in the body of its mail
(`mail_outbox.body`). A request whose mail later fails shows no answer to send again; the
counsellor writes it anew.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ALTER TABLE on SQLite too (3.35+): rebuilding the table would cascade its mails away
    op.drop_column('offline_requests', 'answer')
    op.add_column('offline_requests', sa.Column('answer', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column('offline_requests', 'answer')
    op.add_column('offline_requests', sa.Column('answer', sa.Text(), nullable=True))
