"""Developer helper (not a test): print the body text a pass produces, to review it."""
import sys

from conftest import apply, body_text, kernels

if __name__ == "__main__":
    name, role = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "-" else None)
    kernel = eval(sys.argv[3]) if len(sys.argv) > 3 else kernels.eltwise_add()
    opts = eval(sys.argv[4]) if len(sys.argv) > 4 else {}
    _, after = apply(kernel, name, **opts)
    print(body_text(after, role))
