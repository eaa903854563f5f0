"""The ``lrcore`` command (also ``python -m lrcore``)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lrcore", description="lrcore: torch.optim.lr_scheduler computed by a C++ core."
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--cmakedir", action="store_true",
                        help="print the directory to pass as lrcore_DIR to find_package(lrcore) "
                             "and exit")
    parser.add_argument("--includedir", action="store_true",
                        help="print the directory holding the C++ headers and exit")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="train a small numpy model with the seed's three schedules")
    demo.add_argument("--epochs", type=int, default=100, help="epochs per example (default 100)")
    from . import bench as bench_module

    bench = sub.add_parser(
        "bench", help="time scheduler.step(): lrcore vs torch vs the pure-Python references",
        description=bench_module.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench_module.add_arguments(bench)
    args = parser.parse_args(argv)

    if args.version:
        from . import __version__

        print(__version__)
        return 0
    if args.cmakedir or args.includedir:
        from . import get_cmake_dir, get_include

        path = get_cmake_dir() if args.cmakedir else get_include()
        if not os.path.isdir(path):
            print(f"lrcore: {path} does not exist: the C++ headers and CMake package come with "
                  "an installed lrcore (pip install .), not with a source checkout",
                  file=sys.stderr)
            return 1
        print(path)
        return 0
    if args.command == "demo":
        if args.epochs <= 0:
            parser.error("--epochs must be positive")
        from . import demo as demo_module

        try:
            demo_module.run(sys.stdout, epochs=args.epochs)
        except BrokenPipeError:  # `lrcore demo | head`: the reader left; not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if args.command == "bench":
        try:
            return bench_module.run_from_args(bench, args, argv)
        except BrokenPipeError:  # `lrcore bench | head`, as for demo
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
