"""statistics and quality indexes: the statistics of a year read indexes in the order they group
or rank by, instead of sorting the year's rows; the quality list tests its filters on an index

- drafts: `ix_drafts_quality` (conversation, outcome, confidence, charter flag) replaces
  `ix_drafts_conversation_id`: the quality list's filters (a draft of the conversation rejected, of
  low confidence, flagged…) are answered from it without reading the drafts' payloads;
- drafts: `ix_drafts_decisions` (service, outcome, main source, abstained, created) replaces
  `ix_drafts_usage` (created first): the decisions are counted in the index's order;
- conversations: `ix_conversations_profiles` (département, profile, created, last_seq), the same
  for the académies and profiles;
- on SQLite only, indexes on expressions (SQLite alone indexes these ones): the conversations per
  day, and the waiting and handling times in seconds, overall and per service, each holding only
  the conversations that have that time. A percentile is then an OFFSET into an index, not a sort
  of the year (PostgreSQL computes its percentiles itself). SQLAlchemy does not reflect indexes on
  expressions: a later migration that rebuilds `conversations` in a batch must make them again
  (the statistics name them, so without them they fail rather than slow down).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 09:00:00
"""

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_WAITING = "(julianday(first_answer_at) - julianday(first_user_at)) * 86400.0"
_HANDLING = "(julianday(closed_at) - julianday(first_user_at)) * 86400.0"
SQLITE_INDEXES = {
    'ix_conversations_day': "conversations (date(created_at), service, created_at, last_seq)",
    'ix_conversations_waiting': f"conversations ({_WAITING}, created_at, last_seq, service) "
                                "WHERE first_user_at IS NOT NULL AND first_answer_at >= first_user_at",
    'ix_conversations_waiting_by_service': f"conversations (service, {_WAITING}, created_at, last_seq) "
                                           "WHERE first_user_at IS NOT NULL AND first_answer_at >= first_user_at",
    'ix_conversations_handling': f"conversations ({_HANDLING}, created_at, last_seq, service) "
                                 "WHERE first_user_at IS NOT NULL AND closed_at >= first_user_at",
    'ix_conversations_handling_by_service': f"conversations (service, {_HANDLING}, created_at, last_seq) "
                                            "WHERE first_user_at IS NOT NULL AND closed_at >= first_user_at",
}


def upgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_drafts_usage')
        batch_op.create_index('ix_drafts_decisions', ['service', 'outcome', 'main_source', 'abstained', 'created_at'],
                              unique=False)
        batch_op.drop_index('ix_drafts_conversation_id')
        batch_op.create_index('ix_drafts_quality', ['conversation_id', 'outcome', 'confidence', 'flagged'], unique=False)
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index('ix_conversations_profiles', ['departement', 'audience', 'created_at', 'last_seq'],
                              unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        for name, definition in SQLITE_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in SQLITE_INDEXES:
            op.execute(f"DROP INDEX {name}")
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_profiles')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_drafts_quality')
        batch_op.create_index('ix_drafts_conversation_id', ['conversation_id'], unique=False)
        batch_op.drop_index('ix_drafts_decisions')
        batch_op.create_index('ix_drafts_usage', ['created_at', 'service', 'outcome', 'main_source', 'abstained'],
                              unique=False)
