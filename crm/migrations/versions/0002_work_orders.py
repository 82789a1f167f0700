"""work orders: reminders, supervision orders, case ratings, knowledge base and its token index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 03:03:40.421721
"""
from alembic import op
import sqlalchemy as sa
import crm.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('knowledge_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('knowledge_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_articles_category'), ['category'], unique=False)

    op.create_table('knowledge_tokens',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], ),
    sa.PrimaryKeyConstraint('article_id', 'token')
    )
    with op.batch_alter_table('knowledge_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_knowledge_tokens_token', ['token'], unique=False)

    op.create_table('case_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=24), nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'round', name='uq_case_ratings_round')
    )
    with op.batch_alter_table('case_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_ratings_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_ratings_case_id'), ['case_id'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('deadline_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'kind', 'deadline_at', name='uq_reminders_once')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_department_id'), ['department_id'], unique=False)

    op.create_table('supervision_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('deadline_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('site_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'kind', 'deadline_at', name='uq_supervision_orders_once')
    )
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_orders_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_orders_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_orders_site_id'), ['site_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_orders_site_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_orders_department_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_orders_case_id'))

    op.drop_table('supervision_orders')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_department_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_case_id'))

    op.drop_table('reminders')
    with op.batch_alter_table('case_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_ratings_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_ratings_at'))

    op.drop_table('case_ratings')
    with op.batch_alter_table('knowledge_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_knowledge_tokens_token')

    op.drop_table('knowledge_tokens')
    with op.batch_alter_table('knowledge_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_articles_category'))

    op.drop_table('knowledge_articles')
