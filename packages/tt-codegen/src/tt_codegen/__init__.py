"""tt_codegen: TT TIR (from tt-passes) -> TT-Metalium C++ kernels, host program and tt.plan.json.

    artifacts = tt_codegen.emit(lowered_module)
    artifacts.files["compute.cpp"]      # file name -> text
    artifacts.write("out/")             # reader.cpp compute.cpp writer.cpp main.cpp tt.plan.json
"""

from tt_codegen._artifacts import Artifacts
from tt_codegen._emit import emit
from tt_codegen._errors import CodegenError
from tt_codegen._version import __version__

__all__ = ["Artifacts", "CodegenError", "__version__", "emit"]
