"""The README's Python examples run as written, and its quick start matches CI."""
import pathlib
import re
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_python_blocks_run(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = textwrap.dedent(BLOCKS[index])
    if "detect_anomaly" in code:  # that block demonstrates the error it raises
        from autograd import AnomalyError
        with pytest.raises(AnomalyError, match="log"):
            exec(compile(code, f"README block {index}", "exec"), {})
    else:
        exec(compile(code, f"README block {index}", "exec"), {})


def test_quick_start_has_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", quick, flags=re.S)[0].strip().splitlines()
    assert len(commands) == 2
    test_command = commands[1].split("#")[0].strip()
    assert test_command.startswith("bash .ci/setup && ")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash .ci/setup" in ci and test_command.split("&& ", 1)[1] in ci
