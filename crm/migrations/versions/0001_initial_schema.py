"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 02:44:57.915955
"""
from alembic import op
import sqlalchemy as sa
import crm.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_counters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('sites',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('callers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('location', sa.String(length=64), nullable=True),
    sa.Column('site_id', sa.String(length=32), nullable=True),
    sa.Column('first_seen', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('departments',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('site_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('site_id', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('agent_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('extension', sa.String(length=16), nullable=False),
    sa.Column('site_id', sa.String(length=32), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id'),
    sa.UniqueConstraint('extension')
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('request_type', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('site_id', sa.String(length=32), nullable=True),
    sa.Column('district', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=True),
    sa.Column('contact_number', sa.String(length=20), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('kb_article_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.String(length=24), nullable=True),
    sa.Column('resolved', sa.Boolean(), nullable=True),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('created_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('replied_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sign_due_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['caller_id'], ['callers.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
    sa.ForeignKeyConstraint(['merged_into_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_caller_category', ['caller_id', 'category', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_caller_id'), ['caller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=True),
    sa.Column('caller_raw', sa.String(length=64), nullable=False),
    sa.Column('dnid', sa.String(length=32), nullable=False),
    sa.Column('line', sa.String(length=32), nullable=True),
    sa.Column('site_id', sa.String(length=32), nullable=True),
    sa.Column('menu_path', sa.String(length=200), nullable=False),
    sa.Column('arrived_at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('queued_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offered_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', crm.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('wait_seconds', sa.Float(), nullable=True),
    sa.Column('agent', sa.String(length=64), nullable=True),
    sa.Column('rating', sa.String(length=24), nullable=True),
    sa.Column('callback_number', sa.String(length=20), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['caller_id'], ['callers.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id')
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_arrived_at'), ['arrived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_caller_id'), ['caller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_outcome'), ['outcome'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('at', crm.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_outcome'))
        batch_op.drop_index(batch_op.f('ix_calls_case_id'))
        batch_op.drop_index(batch_op.f('ix_calls_caller_id'))
        batch_op.drop_index(batch_op.f('ix_calls_arrived_at'))

    op.drop_table('calls')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_department_id'))
        batch_op.drop_index(batch_op.f('ix_cases_created_at'))
        batch_op.drop_index(batch_op.f('ix_cases_caller_id'))
        batch_op.drop_index('ix_cases_caller_category')

    op.drop_table('cases')
    op.drop_table('agent_profiles')
    op.drop_table('users')
    op.drop_table('departments')
    op.drop_table('callers')
    op.drop_table('sites')
    op.drop_table('case_counters')
