"""`tt compile -o DIR` never deletes or overwrites what it did not write."""

from pathlib import Path

import pytest

from tt_cli.cli import main

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ADD = [str(EXAMPLES / "elementwise_add.py"), "--param", "M=64", "--param", "N=64", "--param", "block_M=32",
       "--param", "block_N=32"]
FIVE = ["compute.cpp", "main.cpp", "reader.cpp", "tt.plan.json", "writer.cpp"]


def run_main(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def _user_dir(path: Path) -> Path:
    path.mkdir()
    (path / "notes.txt").write_text("mine")
    (path / "sub").mkdir()
    (path / "sub" / "data.bin").write_bytes(b"\x01\x02")
    return path


def test_a_directory_with_user_files_is_refused_and_left_as_it_was(tmp_path, capsys):
    """A non-empty directory that is not an artifact directory: exit 2, message names it, its contents and the fix."""
    out = _user_dir(tmp_path / "work")
    code, _, err = run_main(["compile", *ADD, "-o", str(out)], capsys)
    assert code == 2
    assert err.strip() == (
        f"error: refusing to write into '{out}': it is not empty and not an artifact directory of tt compile "
        f"(it holds notes.txt, sub/); pick a new or empty directory for -o, or remove '{out}' yourself"
    )
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "sub"]
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "sub" / "data.bin").read_bytes() == b"\x01\x02"


def test_a_user_file_named_like_an_artifact_is_not_overwritten(tmp_path, capsys):
    """main.cpp without tt.plan.json is the user's: refused, kept byte for byte."""
    out = tmp_path / "proj"
    out.mkdir()
    (out / "main.cpp").write_text("int main() {}\n")
    code, _, err = run_main(["compile", *ADD, "-o", str(out)], capsys)
    assert code == 2
    assert f"refusing to write into '{out}'" in err and "(it holds main.cpp)" in err
    assert (out / "main.cpp").read_text() == "int main() {}\n"


def test_artifacts_plus_a_user_file_is_refused(tmp_path, capsys):
    """An earlier output with a file added by the user is no longer ours: refused, nothing touched."""
    out = tmp_path / "build"
    assert run_main(["compile", *ADD, "-o", str(out)], capsys)[0] == 0
    (out / "README").write_text("notes")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, _, err = run_main(["compile", *ADD, "-o", str(out)], capsys)
    assert code == 2
    assert "(it holds README, compute.cpp, main.cpp, reader.cpp, tt.plan.json, writer.cpp)" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_new_empty_and_earlier_artifact_directories_are_written_and_reported(tmp_path, capsys):
    """New: created; empty: filled; an earlier output: only our five files replaced, no temp files left."""
    new = tmp_path / "a" / "b"
    code, out, _ = run_main(["compile", *ADD, "-o", str(new)], capsys)
    assert code == 0
    assert out.strip() == f"wrote reader.cpp, compute.cpp, writer.cpp, main.cpp, tt.plan.json to {new} (new directory)"
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, _ = run_main(["compile", *ADD, "-o", str(empty)], capsys)
    assert code == 0 and out.strip().endswith(f"to {empty}")
    (new / "compute.cpp").write_text("stale")
    code, out, _ = run_main(["compile", *ADD, "-o", str(new)], capsys)
    assert code == 0
    assert out.strip() == f"replaced reader.cpp, compute.cpp, writer.cpp, main.cpp, tt.plan.json in {new} (the previous artifacts)"
    assert sorted(p.name for p in new.iterdir()) == FIVE
    assert (new / "compute.cpp").read_text() == (empty / "compute.cpp").read_text()


def test_compiled_kernel_save_refuses_a_user_directory(tmp_path):
    """The Python API's save() follows the same rule as the CLI."""
    import tt_cli
    from tt_cli._loader import load_kernel, parse_params
    from tt_ir import TTError

    loaded = load_kernel(Path(ADD[0]), None, parse_params(tuple(ADD[2::2])))
    kernel = tt_cli.compile(loaded.func)
    out = _user_dir(tmp_path / "mine")
    with pytest.raises(TTError, match=r"refusing to write into .*\(it holds notes.txt, sub/\)"):
        kernel.save(out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "sub"]
