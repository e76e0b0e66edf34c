"""roles: a person holds any number of roles, each a membership in a branch or the whole organisation

Each existing person gets one membership with the role and branch their user row held (an admin's for the
whole organisation, as an admin's branch never counted); a removed volunteer gets none. Then the user row
loses its role and branch.

Revision ID: 0012_roles
Revises: 0011_jobs
Create Date: 2026-12-01 20:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_roles'
down_revision = '0012_doors'
branch_labels = None
depends_on = None

ROLE = sa.Enum("ADMIN", "COORDINATOR", "CANVASSER", "COMMITTEE", name="role", native_enum=False, length=20)
PASSWORD_ACCOUNTS = sa.text("password_hash IS NOT NULL")


def upgrade():
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f("fk_membership_branch_id_branch")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_membership_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint("user_id", "role", "branch_id", name="uq_membership"),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_user_id"), ["user_id"], unique=False)

    op.execute(
        'INSERT INTO membership (user_id, branch_id, role, created_at) '
        'SELECT id, CASE WHEN role = \'ADMIN\' THEN NULL ELSE branch_id END, role, created_at FROM "user" '
        'WHERE removed_at IS NULL ORDER BY id'
    )

    # Rebuilding the table on SQLite would not carry the partial index over as it is: drop it and make it again.
    op.drop_index("uq_user_login_email", table_name="user")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index("ix_user_branch_id")
        batch_op.drop_constraint("fk_user_branch_id_branch", type_="foreignkey")
        batch_op.drop_column("branch_id")
        batch_op.drop_column("role")
    op.create_index("uq_user_login_email", "user", ["email"], unique=True, sqlite_where=PASSWORD_ACCOUNTS,
                    postgresql_where=PASSWORD_ACCOUNTS)


def downgrade():
    """Back to one role per person: each keeps the widest role they hold, and that role's branch."""
    op.drop_index("uq_user_login_email", table_name="user")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", ROLE, nullable=False, server_default="CANVASSER"))
        batch_op.add_column(sa.Column("branch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_user_branch_id_branch", "branch", ["branch_id"], ["id"])
        batch_op.create_index("ix_user_branch_id", ["branch_id"], unique=False)
    widest = ("(SELECT m.{column} FROM membership m WHERE m.user_id = \"user\".id ORDER BY CASE m.role "
              "WHEN 'ADMIN' THEN 0 WHEN 'COORDINATOR' THEN 1 WHEN 'COMMITTEE' THEN 2 ELSE 3 END, m.id LIMIT 1)")
    op.execute(f'UPDATE "user" SET role = COALESCE({widest.format(column="role")}, \'CANVASSER\'), '
               f'branch_id = {widest.format(column="branch_id")}')
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("role", server_default=None)
    op.create_index("uq_user_login_email", "user", ["email"], unique=True, sqlite_where=PASSWORD_ACCOUNTS,
                    postgresql_where=PASSWORD_ACCOUNTS)
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_user_id"))
        batch_op.drop_index(batch_op.f("ix_membership_branch_id"))
    op.drop_table("membership")
