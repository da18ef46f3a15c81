"""usage and feedback: when a conversation closed, who the person said they are, their rating,
the counsellor's reason for rejecting a draft, and the background draft of an offline request

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('audience', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('departement', sa.String(length=3), nullable=True))
        batch_op.create_index(batch_op.f('ix_conversations_closed_at'), ['closed_at'], unique=False)
    # conversations closed before this revision: their last change was the close
    op.execute("UPDATE conversations SET closed_at = updated_at WHERE status = 'closed'")
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reject_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('offline_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id')
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_table('ratings')
    with op.batch_alter_table('offline_requests', schema=None) as batch_op:
        batch_op.drop_column('drafted_at')
        batch_op.drop_column('draft')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('reject_reason')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_closed_at'))
        batch_op.drop_column('departement')
        batch_op.drop_column('audience')
        batch_op.drop_column('closed_at')
