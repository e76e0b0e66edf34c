"""accounts: logins as server-side records, personal login links, removed volunteers, e-mail unique only to log in

Every session and remember cookie made before this revision carried the user's id and stops working:
everyone logs in once more (volunteers with a login link from their coordinator).

Revision ID: 0010_accounts
Revises: 0010_web
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_accounts"
down_revision = "0010_web"
branch_labels = None
depends_on = None

PASSWORD_ACCOUNTS = sa.text("password_hash IS NOT NULL")


def upgrade():
    op.create_table(
        "login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("second_factor_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_login_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_token_hash")),
    )
    with op.batch_alter_table("login", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_user_id"), ["user_id"], unique=False)

    op.create_table(
        "login_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_login_link_created_by_id_user")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_login_link_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_link_token_hash")),
    )
    with op.batch_alter_table("login_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_link_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_device_login_id"), ["login_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_device_login_id_login"), "login", ["login_id"], ["id"])

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))
        batch_op.drop_constraint("uq_user_email", type_="unique")
    op.create_index(
        "uq_user_login_email",
        "user",
        ["email"],
        unique=True,
        sqlite_where=PASSWORD_ACCOUNTS,
        postgresql_where=PASSWORD_ACCOUNTS,
    )


def downgrade():
    op.drop_index("uq_user_login_email", table_name="user")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_user_email", ["email"])
        batch_op.drop_column("removed_at")

    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_device_login_id_login"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_device_login_id"))
        batch_op.drop_column("login_id")

    with op.batch_alter_table("login_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_link_user_id"))
    op.drop_table("login_link")

    with op.batch_alter_table("login", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_user_id"))
    op.drop_table("login")
