// Handlers of testdata/handlers/env.yaml: plain functions of (args, state) → {result, state?}.
type Row = Record<string, unknown>;
type State = Record<string, Row[]>;

const RATES: Record<string, number> = { EUR: 1, USD: 1.08, GBP: 0.85, JPY: 162 };

export function convert(a: { amount: number; from: string; to: string }) {
  const from = RATES[a.from], to = RATES[a.to];
  if (from === undefined || to === undefined) {
    throw new Error(
      `unknown currency ${from === undefined ? a.from : a.to}; known: ${
        Object.keys(RATES).join(", ")
      }`,
    );
  }
  return { result: { amount: Math.round((a.amount / from) * to * 100) / 100, currency: a.to } };
}

export function record(a: { note: string; amount: number }, state: State) {
  const entry = { id: `E${state.ledger.length + 1}`, note: a.note, amount: a.amount };
  return { result: { ok: true, id: entry.id }, state: { ledger: [...state.ledger, entry] } };
}

export function spin() {
  while (true) { /* a handler bug: never returns */ }
}

export function badState() {
  return { result: 1, state: { nope: [] } };
}
