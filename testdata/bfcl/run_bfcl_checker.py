"""Run BFCL's own AST checker (bfcl_eval, Apache-2.0) on JSON lines {function, candidate, possible_answer,
category}, printing {valid, error_type, error} per line. The gorilla checkout's
berkeley-function-call-leaderboard folder is $BFCL_ROOT (default: ./berkeley-function-call-leaderboard);
model-config lookups are stubbed to a model that keeps dotted names."""
import os, sys, types, json
sys.path.insert(0, os.environ.get("BFCL_ROOT", "berkeley-function-call-leaderboard"))
class Cfg:
    underscore_to_dot = False
    is_fc_model = False
mc = types.ModuleType("bfcl_eval.constants.model_config")
mc.MODEL_CONFIG_MAPPING = {"stub": Cfg()}
import importlib
pkg = importlib.import_module("bfcl_eval.constants.enums")
sys.modules["bfcl_eval.constants.model_config"] = mc
from bfcl_eval.constants.enums import Language
from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

def lang_of(cat):
    return Language.JAVA if cat.endswith("java") else Language.JAVASCRIPT if cat.endswith("javascript") else Language.PYTHON

# stdin: JSON lines {function, candidate, possible_answer, category}; stdout: verdicts
for line in sys.stdin:
    row = json.loads(line)
    r = ast_checker(row["function"], row["candidate"], row["possible_answer"], lang_of(row["category"]), row["category"], "stub")
    print(json.dumps({"valid": r["valid"], "error_type": r.get("error_type"), "error": r.get("error")}))
