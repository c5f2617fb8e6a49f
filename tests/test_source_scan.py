"""No code execution from text or files anywhere in the package: an ``ast`` scan of stocktake/**/*.py for
eval/exec/compile, DataFrame.eval/query, pickle and its cousins, unsafe YAML and torch loads, pickled NumPy
arrays, shell commands. The scanner is tested on small snippets, so a planted example is caught."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "stocktake"
PICKLE_MODULES = {"pickle", "cPickle", "_pickle", "joblib", "dill", "marshal", "shelve", "cloudpickle"}
OS_COMMANDS = {"system", "popen", "execl", "execle", "execlp", "execv", "execve", "execvp", "execvpe", "spawnl",
               "spawnle", "spawnlp", "spawnv", "spawnve", "spawnvp", "startfile"}
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader"}


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_const(node: ast.expr | None, value) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def _dotted(node: ast.expr) -> str:
    """``np.load`` for the callee ``np.load``; the last name only where the receiver is an expression."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else node.attr
    return ""


def _safe_query_shape(call: ast.Call) -> bool:
    """Vector-store queries (Chroma's ``collection.query(query_embeddings=...)``, a store's ``query(text, n,
    where=...)``): pandas' ``DataFrame.query`` takes no such keywords, so a call shaped so cannot evaluate text."""
    words = {k.arg for k in call.keywords}
    return bool(words & {"query_embeddings", "query_texts", "n_results", "where"})


def call_findings(call: ast.Call) -> list[str]:
    name = _dotted(call.func)
    last = name.rsplit(".", 1)[-1]
    found = []
    if isinstance(call.func, ast.Name) and call.func.id in ("eval", "exec"):
        found.append(f"{call.func.id}()")
    if isinstance(call.func, ast.Name) and call.func.id == "compile":
        mode = call.args[2] if len(call.args) > 2 else _keyword(call, "mode")
        if not (isinstance(mode, ast.Constant) and mode.value not in ("exec", "eval", "single")):
            found.append("compile() of code")
    if isinstance(call.func, ast.Attribute) and last == "eval" and (call.args or call.keywords):
        found.append(f"{name}(...): DataFrame.eval-style call (only a bare model.eval() is allowed)")
    if isinstance(call.func, ast.Attribute) and last == "query" and not _safe_query_shape(call):
        found.append(f"{name}(...): DataFrame.query-style call")
    if isinstance(call.func, ast.Name) and call.func.id == "__import__" or last == "import_module":
        module = call.args[0] if call.args else None
        if isinstance(module, ast.Constant) and str(module.value).split(".")[0] in PICKLE_MODULES:
            found.append(f"{name}() of a pickle module")
    if last in ("read_pickle", "unsafe_load", "full_load"):
        found.append(f"{name}()")
    if name in ("yaml.load", "yaml.load_all"):
        loader = _keyword(call, "Loader") or (call.args[1] if len(call.args) > 1 else None)
        if loader is None or _dotted(loader).rsplit(".", 1)[-1] not in SAFE_YAML_LOADERS:
            found.append(f"{name}() without SafeLoader")
    if name == "torch.load" and not _is_const(_keyword(call, "weights_only"), True):
        found.append("torch.load() without weights_only=True")
    if _keyword(call, "allow_pickle") is not None and not _is_const(_keyword(call, "allow_pickle"), False):
        found.append(f"{name}(allow_pickle=...)")
    if _keyword(call, "shell") is not None and not _is_const(_keyword(call, "shell"), False):
        found.append(f"{name}(shell=...)")
    if _keyword(call, "trust_remote_code") is not None and not _is_const(_keyword(call, "trust_remote_code"), False):
        found.append(f"{name}(trust_remote_code=...)")
    if name.startswith("os.") and last in OS_COMMANDS:
        found.append(f"{name}()")
    return found


def import_findings(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        modules = [a.name for a in node.names]
    else:
        modules = [node.module or ""] + [f"{node.module}.{a.name}" if node.module else a.name for a in node.names]
    found = [f"import {m}" for m in modules if m.split(".")[0] in PICKLE_MODULES]
    if isinstance(node, ast.ImportFrom):
        found += [f"from {node.module} import {a.name}" for a in node.names
                  if a.name in ("eval", "exec", "read_pickle", "system", "popen")
                  or node.module == "os" and a.name in OS_COMMANDS]
    return found


def scan_source(source: str, filename: str = "<snippet>") -> list[str]:
    """Every unsafe construct in ``source``, as "file:line: what"."""
    out = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            found = call_findings(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found = import_findings(node)
        else:
            continue
        out += [f"{filename}:{node.lineno}: {what}" for what in found]
    return out


def scan_tree(root: Path) -> list[str]:
    return [f for path in sorted(root.rglob("*.py")) for f in scan_source(path.read_text(encoding="utf-8"),
                                                                          str(path.relative_to(root.parent)))]


def test_the_package_runs_no_code_from_text_or_files():
    files = list(PACKAGE.rglob("*.py"))
    assert len(files) > 50  # the scan really reads the package
    assert scan_tree(PACKAGE) == []


UNSAFE = [
    "eval(text)",
    "exec(code, scope)",
    "exec(compile(code, '<step>', 'exec'), scope)",
    "compile(code, name, mode)",
    "df.eval('a < 0')",
    "df[~df.eval(where).fillna(False)]",
    "pd.eval(expression)",
    "df.query('price < 0')",
    "frame.query(where, engine='python')",
    "import pickle",
    "import joblib as jl",
    "from dill import loads",
    "import marshal, os",
    "from shelve import open",
    "import cloudpickle",
    "from pandas import eval",
    "pd.read_pickle(path)",
    "__import__('pickle').loads(data)",
    "importlib.import_module('dill')",
    "yaml.load(text)",
    "yaml.load(text, Loader=yaml.Loader)",
    "yaml.unsafe_load(text)",
    "yaml.full_load(text)",
    "torch.load(path)",
    "torch.load(path, weights_only=False)",
    "np.load(path, allow_pickle=True)",
    "numpy.load(path, allow_pickle=flag)",
    "subprocess.run(cmd, shell=True)",
    "subprocess.Popen(cmd, shell=use_shell)",
    "os.system('touch pwned')",
    "os.popen(cmd)",
    "os.execvp(cmd[0], cmd)",
    "from os import system",
    "AutoModel.from_pretrained(path, trust_remote_code=True)",
]

SAFE = [
    "model.eval()",
    "model = AutoModel.from_pretrained(path).to(device).eval()",
    "collection.query(query_embeddings=vectors, n_results=5, where=where)",
    "store.query(text, n, where={'asset': asset} if asset else None)",
    "re.compile(r'\\d+')",
    "pattern = regex.compile(text, flags)",
    "ast.literal_eval(text)",
    "yaml.safe_load(text)",
    "yaml.load(text, Loader=yaml.SafeLoader)",
    "torch.load(path, weights_only=True)",
    "np.load(path)",
    "np.load(path, allow_pickle=False)",
    "subprocess.run(['python', script], check=True)",
    "subprocess.run(cmd, shell=False)",
    "json.loads(text)",
    "import json, yaml, os",
    "from os import path",
]


@pytest.mark.parametrize("snippet", UNSAFE)
def test_the_scanner_flags_each_unsafe_construct(snippet):
    assert scan_source(snippet), snippet


@pytest.mark.parametrize("snippet", SAFE)
def test_the_scanner_lets_safe_lookalikes_through(snippet):
    assert scan_source(snippet) == []


def test_a_planted_file_in_a_package_is_found(tmp_path):
    package = tmp_path / "stocktake" / "tools"
    package.mkdir(parents=True)
    (package / "fine.py").write_text("def f(model):\n    return model.eval()\n")
    (package / "planted.py").write_text("import pandas as pd\n\n\ndef drop(df, where):\n"
                                        "    return df[~df.eval(where)]\n")
    assert scan_tree(tmp_path / "stocktake") == [
        "stocktake/tools/planted.py:5: df.eval(...): DataFrame.eval-style call (only a bare model.eval() is allowed)"]
