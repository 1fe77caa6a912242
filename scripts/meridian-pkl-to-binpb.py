#!/usr/bin/env python3
"""Convert a legacy Meridian pickle (saved with save_mmm) to the .binpb format mmm imports.

mmm never unpickles: loading a pickle runs arbitrary code from the file. Run this script in
your own Python environment, on a pickle you trust, with Meridian and its schema extra
installed:

    pip install "google-meridian[schema]"
    python scripts/meridian-pkl-to-binpb.py saved_mmm.pkl model.binpb
    mmm import-meridian model.binpb --json model.json

It calls Meridian's own load_mmm and save_meridian; nothing else touches the model.
"""

import argparse
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pickle", help="model saved with meridian.model.model.save_mmm (.pkl)")
    parser.add_argument("output", help="where to write the .binpb file")
    args = parser.parse_args()
    try:
        from meridian.model import model as meridian_model
        from meridian.schema.serde import meridian_serde
    except ImportError as e:
        print(
            f"cannot import Meridian ({e}); install it with: pip install 'google-meridian[schema]'",
            file=sys.stderr,
        )
        return 2
    mmm = meridian_model.load_mmm(args.pickle)
    meridian_serde.save_meridian(mmm, args.output)
    print(f"wrote {args.output}; import it with: mmm import-meridian {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
