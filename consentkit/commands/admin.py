"""``consentkit admin create-user``: an account of the admin console's built-in logins."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from ..admin.accounts import AccountError, create_user, provisioning_uri


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``admin`` (and its ``create-user``) to the ``consentkit`` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "admin", help="manage the admin console's accounts",
        description="The admin console's built-in accounts (Admin(users=FILE)).",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION")
    create = actions.add_parser(
        "create-user", help="add an account (the password is asked for, or read from stdin)",
        description="Add an account to the accounts file (made if absent, mode 0600). The password is asked "
        "for twice, or read from the first line of standard input with --password-stdin.",
    )
    create.add_argument("name")
    create.add_argument("--users", type=Path, default=Path("admin-users.json"), metavar="FILE",
                        help="the accounts file (default: admin-users.json)")
    create.add_argument("--role", choices=("viewer", "operator"), default="viewer",
                        help="viewer: charts and receipts; operator: also requests, parental actions, exports")
    create.add_argument("--totp", action="store_true", help="require an authenticator code (TOTP) at login")
    create.add_argument("--replace", action="store_true", help="reset an existing account")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(run=run_create_user)
    def usage(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    parser.set_defaults(run=usage)
    return parser


def run_create_user(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 1
    try:
        secret = create_user(args.users, args.name, password, role=args.role, totp=args.totp, replace=args.replace)
    except (AccountError, ValueError, OSError) as exc:
        print(f"consentkit admin create-user: {exc}", file=sys.stderr)
        return 1
    print(f"{args.name} ({args.role}) saved in {args.users}")
    if secret is not None:
        print("Add this key to an authenticator app (it is shown once):")
        print(f"  {secret}")
        print(f"  {provisioning_uri(secret, args.name)}")
    return 0
