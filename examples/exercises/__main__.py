"""Command line of the gradient exercises.

    python -m examples.exercises list
    python -m examples.exercises check N [--solution] [--verbose]

`check` exits with 0 when the backward is correct and 1 when it is not.
"""
import argparse
import sys
import textwrap

from examples.exercises import catalog
from examples.exercises.checker import check


def list_exercises():
    print("Gradient exercises: write the backward of each Function, then check it.\n")
    width = max(len(e.name) for e in catalog.EXERCISES)
    for exercise in catalog.EXERCISES:
        optional = "  (optional)" if exercise.number > 5 else ""
        print(f"  {exercise.number}  {exercise.name:<{width}}  {exercise.formula}{optional}")
        print(f"     {'':<{width}}  {exercise.path}")
    print("\nRead a sheet's docstring, write its backward, then:\n"
          "  python -m examples.exercises check N              (your backward)\n"
          "  python -m examples.exercises check N --solution   (the reference solution)")


def wrap(message, width=88):
    """Each line of `message` wrapped to `width`, continuation lines keeping its indent."""
    lines = []
    for line in message.splitlines():
        indent = line[:len(line) - len(line.lstrip())]
        lines.append(textwrap.fill(line, width, subsequent_indent=indent) if line else line)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m examples.exercises",
                                     description="Gradient-check exercises.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the exercises")
    checking = commands.add_parser("check", help="check the backward of exercise N")
    checking.add_argument("number", type=int, help="the exercise number (see list)")
    checking.add_argument("--solution", action="store_true",
                          help="check the reference solution instead of your sheet")
    checking.add_argument("--verbose", "-v", action="store_true",
                          help="also print gradcheck's table of mismatched Jacobian entries")
    args = parser.parse_args(argv)
    if args.command == "list":
        list_exercises()
        return 0
    try:
        result = check(args.number, solution=args.solution)
    except ValueError as error:
        parser.error(str(error))
    print(wrap(result.message))
    if args.verbose and result.report:
        print("\n" + result.report)
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
