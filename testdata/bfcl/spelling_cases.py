"""How testdata/bfcl/spelling_cases.jsonl was made: BFCL v4 entries (commit 6ea5797, Apache-2.0), candidates
that differ from a right call only in number spelling or Java/JavaScript source text, and the verdict
BFCL's own checker gives each."""
import json, random, copy
random.seed(21)
import sys
# Usage: python3 spelling_cases.py DATA_DIR CHECKER > spelling_cases.jsonl
#   DATA_DIR: BFCL's BFCL_v4_<category>.json files and their answers as pa_<category>.json
#   CHECKER:  run_bfcl_checker.py (with BFCL_ROOT set), or any script that runs bfcl_eval's ast_checker on JSON lines {function, candidate,
#             possible_answer, category} and prints {valid, error_type, error} per line (BFCL's
#             bfcl_eval/eval_checker/ast_eval/ast_checker.py, with MODEL_CONFIG_MAPPING stubbed to
#             a model without underscore_to_dot).
D=sys.argv[1]
def load(c):
    q=[json.loads(l) for l in open(f"{D}/BFCL_v4_{c}.json")]
    a={json.loads(l)["id"]:json.loads(l)["ground_truth"] for l in open(f"{D}/pa_{c}.json")}
    return q,a
def first(vals):
    for v in vals:
        if v!="": return v
    return None
def firstcall(ans):
    out=[]
    for call in ans:
        fn,ps=next(iter(call.items()))
        args={}
        for p,vals in ps.items():
            v=first(vals)
            if v is None: continue
            if isinstance(v,dict):
                v={k:(x[0] if isinstance(x,list) and x else x) for k,x in v.items()}
            args[p]=v
        out.append({fn:args})
    return out
def floats_where(schema_props, args, tofloat):
    """respell integral numbers at float-typed positions: tofloat True → float, False → int"""
    out={}
    for p,v in args.items():
        t=schema_props.get(p,{}).get("type")
        it=schema_props.get(p,{}).get("items",{}).get("type") if isinstance(schema_props.get(p,{}).get("items"),dict) else None
        conv=(lambda x: float(x) if tofloat else (int(x) if isinstance(x,float) and x.is_integer() else x))
        if t=="float" and isinstance(v,(int,float)) and not isinstance(v,bool) and float(v).is_integer(): v=conv(v)
        elif t in("array","tuple") and it=="float" and isinstance(v,list): v=[conv(x) if isinstance(x,(int,float)) and not isinstance(x,bool) and float(x).is_integer() else x for x in v]
        out[p]=v
    return out
rows=[]
cats={"simple_python":"simple","parallel":"parallel","multiple":"multiple","parallel_multiple":"parallel_multiple"}
for c in cats:
    q,a=load(c)
    picks_nested=[];picks_top=[];picks_int=[]
    for e in q:
        fns={f["name"]:f for f in e["function"]}
        ans=a[e["id"]]
        cand=firstcall(ans)
        kinds=set()
        for call in cand:
            fn,args=next(iter(call.items()))
            props=fns.get(fn,{}).get("parameters",{}).get("properties",{})
            for p,v in args.items():
                d=props.get(p,{}); t=d.get("type")
                if t in("array","tuple") and isinstance(d.get("items"),dict) and d["items"].get("type")=="float" and isinstance(v,list) and any(isinstance(x,(int,float)) and not isinstance(x,bool) and float(x).is_integer() for x in v): kinds.add("nested")
                elif t=="float" and isinstance(v,(int,float)) and not isinstance(v,bool) and float(v).is_integer(): kinds.add("top")
                elif t=="integer" and isinstance(v,int) and not isinstance(v,bool): kinds.add("int")
        if "nested" in kinds: picks_nested.append(e)
        elif "top" in kinds: picks_top.append(e)
        elif "int" in kinds: picks_int.append(e)
    chosen=picks_nested[:3]+picks_top[:2]+picks_int[:1]
    for e in chosen:
        fns={f["name"]:f for f in e["function"]}
        ans=a[e["id"]]
        base=firstcall(ans)
        def respell(tofloat):
            out=[]
            for call in base:
                fn,args=next(iter(call.items()))
                props=fns.get(fn,{}).get("parameters",{}).get("properties",{})
                out.append({fn:floats_where(props,args,tofloat)})
            return out
        def int_as_float():
            out=[]
            for call in base:
                fn,args=next(iter(call.items()))
                props=fns.get(fn,{}).get("parameters",{}).get("properties",{})
                out.append({fn:{p:(float(v) if props.get(p,{}).get("type")=="integer" and isinstance(v,int) and not isinstance(v,bool) else v) for p,v in args.items()}})
            return out
        for k,(label,cand) in enumerate([("floats written as floats",respell(True)),("integral floats written as ints",respell(False)),("integers written as floats",int_as_float())]):
            rows.append({"id":f"{e['id']}#s{k}","case_id":e["id"],"category":c,"question":e["question"],"function":e["function"],"possible_answer":ans,"candidate":cand,"perturbation":label})
# Java / JavaScript
def jspell(v,t,lang):
    if isinstance(v,str): return v
    if isinstance(v,bool): return "true" if v else "false"
    if lang=="java" and t=="long": return f"{v}L"
    if lang=="java" and t=="float": return f"{v}f"
    if lang=="javascript" and t=="Bigint": return f"{v}n"
    return str(v)
scalar={"java":{"boolean","integer","long","String","any","double","float","short","byte","char"},"javascript":{"String","integer","float","Boolean","any","Bigint"}}
for c,lang in [("simple_java","java"),("simple_javascript","javascript")]:
    q,a=load(c)
    n=0
    for e in q:
        f=e["function"][0]; props=f["parameters"]["properties"]
        if not all(p.get("type") in scalar[lang] for p in props.values()): continue
        ans=a[e["id"]]; base=firstcall(ans)
        fn,args=next(iter(base[0].items()))
        nonstr=[p for p,v in args.items() if not isinstance(v,str)]
        if not nonstr: continue
        good={fn:{p:jspell(v,props[p]["type"],lang) for p,v in args.items()}}
        raw={fn:dict(args)}
        rows.append({"id":f"{e['id']}#s0","case_id":e["id"],"category":c,"question":e["question"],"function":e["function"],"possible_answer":ans,"candidate":[good],"perturbation":"values as source text"})
        rows.append({"id":f"{e['id']}#s1","case_id":e["id"],"category":c,"question":e["question"],"function":e["function"],"possible_answer":ans,"candidate":[raw],"perturbation":"values as JSON, not source text"})
        n+=1
        if n>=6: break
import subprocess
inp="".join(json.dumps(r)+"\n" for r in rows)
out=subprocess.run(["python3",sys.argv[2]],input=inp,capture_output=True,text=True)
if out.returncode: print(out.stderr[-2000:]); raise SystemExit(1)
vs=[json.loads(l) for l in out.stdout.splitlines()]
for r,v in zip(rows,vs):
    r["bfcl_valid"]=v["valid"]; r["bfcl_error_type"]=None if v["valid"] else v["error_type"]; r["bfcl_error"]=v["error"]
    print(json.dumps(r))
