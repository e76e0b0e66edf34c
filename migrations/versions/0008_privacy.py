"""privacy: consent records apart from contacts, audit log

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 18:18:12.453491

A contact's consent moves into one record per purpose, and its key stops being the visit's id.
Going back down deletes contact details: the older table cannot hold them without that link.
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

from canvass.privacy import consent

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_audit_log_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_audit_log_user_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("text_version", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("delete_after", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], name=op.f("fk_consent_record_action_id_action")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_consent_record_contact_id_contact"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_consent_record_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_record")),
    )
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_record_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_record_delete_after"), ["delete_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_record_organisation_id"), ["organisation_id"], unique=False)

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("followed_up_at", sa.DateTime(), nullable=True))
    _move_consents()
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column("event_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f("uq_contact_event_uuid"), type_="unique")
        batch_op.create_index(batch_op.f("ix_contact_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_phone"), ["phone"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_contact_event_key"), ["event_key"])
        for column in (
            "wants_membership",
            "consent_version",
            "wants_contact",
            "consented_at",
            "event_uuid",
            "received_at",
            "delete_after",
        ):
            batch_op.drop_column(column)


CONTACT = sa.table(
    "contact",
    sa.column("id", sa.Integer),
    sa.column("event_uuid", sa.String),
    sa.column("event_key", sa.String),
    sa.column("organisation_id", sa.Integer),
    sa.column("wants_membership", sa.Boolean),
    sa.column("wants_contact", sa.Boolean),
    sa.column("consent_version", sa.String),
    sa.column("consented_at", sa.DateTime),
)
CONSENT_RECORD = sa.table(
    "consent_record",
    *(
        sa.column(name)
        for name in (
            "contact_id",
            "organisation_id",
            "action_id",
            "purpose",
            "text_version",
            "text",
            "given_at",
            "delete_after",
        )
    ),
)


def _move_consents():
    connection = op.get_bind()
    for row in connection.execute(sa.select(CONTACT)).all():
        connection.execute(
            CONTACT.update()
            .where(CONTACT.c.id == row.id)
            .values(event_key=consent.event_key(current_app.secret_key, row.event_uuid))
        )
        for purpose in consent.purposes(row.wants_membership, row.wants_contact):
            record = consent.record(
                contact_id=row.id,
                organisation_id=row.organisation_id,
                action_id=None,
                purpose=purpose,
                recorded_at=row.consented_at,
            )
            connection.execute(CONSENT_RECORD.insert().values({**record, "text_version": row.consent_version}))


def downgrade():
    op.execute("DELETE FROM consent_record")
    op.execute("DELETE FROM contact")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delete_after", sa.DATETIME(), nullable=False))
        batch_op.add_column(sa.Column("received_at", sa.DATETIME(), nullable=False))
        batch_op.add_column(sa.Column("event_uuid", sa.VARCHAR(length=36), nullable=False))
        batch_op.add_column(sa.Column("consented_at", sa.DATETIME(), nullable=False))
        batch_op.add_column(sa.Column("wants_contact", sa.BOOLEAN(), nullable=False))
        batch_op.add_column(sa.Column("consent_version", sa.VARCHAR(length=20), nullable=False))
        batch_op.add_column(sa.Column("wants_membership", sa.BOOLEAN(), nullable=False))
        batch_op.drop_constraint(batch_op.f("uq_contact_event_key"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_contact_phone"))
        batch_op.drop_index(batch_op.f("ix_contact_email"))
        batch_op.create_unique_constraint(batch_op.f("uq_contact_event_uuid"), ["event_uuid"])
        batch_op.drop_column("followed_up_at")
        batch_op.drop_column("event_key")

    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_record_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_consent_record_delete_after"))
        batch_op.drop_index(batch_op.f("ix_consent_record_contact_id"))

    op.drop_table("consent_record")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
