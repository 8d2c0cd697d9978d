"""The subcommands of ``consentkit``, one module each (``cli.COMMANDS`` lists them).

A command module exposes ``add_parser(subparsers)``, which adds its parser and sets
``run`` (a function of the parsed arguments returning the exit status). Heavy
imports (uvicorn, Playwright, the demo site) wait inside ``run``, so that
``consentkit --help`` stays fast."""
