"""`python -m leveransplan`: the same command line as the `leveransplan` script."""

from leveransplan.cli import main

if __name__ == "__main__":
    main()
