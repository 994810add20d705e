import { Ajv2020 } from "ajv/dist/2020.js";
import jsonata from "jsonata";
import { parseDocument, LineCounter } from "yaml";
const ajv = new Ajv2020({allErrors: true});
const v = ajv.compile({type:"object", properties:{a:{type:"string"}}, required:["a"]});
console.log(v({a:1}), v.errors);
const e = jsonata("state.books[$contains(title, $args.q)]");
const st = Object.freeze({books: Object.freeze([Object.freeze({title:"Dune"}), Object.freeze({title:"Emma"})])});
console.log(await e.evaluate({state: st}, {args: {q: "Du"}}));
const e2 = jsonata("$append(state.books, {'title': 'X'})");
console.log(await e2.evaluate({state: st}));
let n=0; const e3 = jsonata("($f := function($x){ $f($x+1) }; $f(0))");
e3.assign("__evaluate_entry", () => { if (++n > 100000) throw new Error("too many steps"); });
try { await e3.evaluate({}); } catch (err) { console.log("caught", (err as Error).message, n); }
const lc = new LineCounter(); const d = parseDocument("a: 1\nb: [1, 2]\n", {lineCounter: lc}); console.log(lc.linePos(6));
