import {
  csv,
  type GenEnv,
  type GenTask,
  longDate,
  REFUSAL,
  Rng,
  round,
  splitOf,
} from "./common.ts";

// unit, symbol, dimension, factor to the base unit, offset added before the factor
const UNITS: [string, string, string, number, number][] = [
  ["meter", "m", "length", 1, 0],
  ["kilometer", "km", "length", 1000, 0],
  ["centimeter", "cm", "length", 0.01, 0],
  ["mile", "mi", "length", 1609.344, 0],
  ["yard", "yd", "length", 0.9144, 0],
  ["foot", "ft", "length", 0.3048, 0],
  ["inch", "in", "length", 0.0254, 0],
  ["nautical mile", "nmi", "length", 1852, 0],
  ["kilogram", "kg", "mass", 1, 0],
  ["gram", "g", "mass", 0.001, 0],
  ["pound", "lb", "mass", 0.45359237, 0],
  ["ounce", "oz", "mass", 0.028349523125, 0],
  ["stone", "st", "mass", 6.35029318, 0],
  ["liter", "L", "volume", 1, 0],
  ["milliliter", "mL", "volume", 0.001, 0],
  ["US gallon", "gal", "volume", 3.785411784, 0],
  ["imperial gallon", "imp gal", "volume", 4.54609, 0],
  ["US cup", "cup", "volume", 0.2365882365, 0],
  ["meter per second", "m/s", "speed", 1, 0],
  ["kilometer per hour", "km/h", "speed", 0.2777777777777778, 0],
  ["mile per hour", "mph", "speed", 0.44704, 0],
  ["knot", "kn", "speed", 0.5144444444444445, 0],
  ["celsius", "°C", "temperature", 1, 0],
  ["fahrenheit", "°F", "temperature", 0.5555555555555556, -32],
  ["kelvin", "K", "temperature", 1, -273.15],
];
// code, name, countries using it, USD rate on 2026-01-15 (units per 1 USD)
const CURRENCIES: [string, string, string, number][] = [
  ["USD", "US dollar", "United States", 1],
  ["EUR", "euro", "Germany; France; Spain; Italy; Portugal", 0.9212],
  ["GBP", "pound sterling", "United Kingdom", 0.7884],
  ["JPY", "Japanese yen", "Japan", 148.37],
  ["CHF", "Swiss franc", "Switzerland", 0.8841],
  ["CAD", "Canadian dollar", "Canada", 1.3612],
  ["AUD", "Australian dollar", "Australia", 1.5237],
  ["SEK", "Swedish krona", "Sweden", 10.482],
  ["NOK", "Norwegian krone", "Norway", 10.716],
  ["PLN", "Polish złoty", "Poland", 3.9874],
  ["INR", "Indian rupee", "India", 83.142],
  ["BRL", "Brazilian real", "Brazil", 4.9583],
  ["MXN", "Mexican peso", "Mexico", 17.064],
  ["ZAR", "South African rand", "South Africa", 18.612],
];
const DAYS = ["2026-01-08", "2026-01-09", "2026-01-12", "2026-01-13", "2026-01-14", "2026-01-15"];

const convertU = (v: number, from: string, to: string) => {
  const f = UNITS.find((u) => u[0] === from)!, t = UNITS.find((u) => u[0] === to)!;
  return round(((v + f[4]) * f[3]) / t[3] - t[4], 6);
};

/** Metric & Money: unit conversions and daily exchange rates. */
export function convert(seed: number): GenEnv {
  const rng = new Rng(seed);
  const units = UNITS.map(([unit, symbol, dimension, factor, offset]) => ({
    unit,
    symbol,
    dimension,
    factor,
    offset,
  }));
  const currencies = CURRENCIES.map(([code, name, countries]) => ({ code, name, countries }));
  const rates: Record<string, unknown>[] = [];
  for (const [code, , , today] of CURRENCIES) {
    let r = today;
    const back: number[] = [];
    for (let k = DAYS.length - 1; k >= 0; k--) {
      back.unshift(code === "USD" ? 1 : Number(r.toPrecision(5)));
      r = r * (1 + (rng.next() - 0.5) * 0.012);
    }
    back.forEach((per_usd, k) => rates.push({ date: DAYS[k], code, per_usd }));
  }
  const rate = (code: string, date = "2026-01-15") =>
    Number(rates.find((r) => r.code === code && r.date === date)!.per_usd);
  const fx = (amount: number, from: string, to: string, date?: string) =>
    round((amount / rate(from, date)) * rate(to, date), 2);

  const tasks: GenTask[] = [];
  const add = (t: Omit<GenTask, "id">) =>
    tasks.push({ id: `convert-${String(tasks.length + 1).padStart(3, "0")}`, ...t });
  const tol = (x: number) => round(Math.max(0.01, Math.abs(x) * 1e-4), 4);

  // 1. unit conversions within a dimension
  const pairs: [number, string, string][] = [
    [26.2, "mile", "kilometer"],
    [180, "centimeter", "foot"],
    [5, "kilogram", "pound"],
    [12, "ounce", "gram"],
    [3.5, "US gallon", "liter"],
    [100, "kilometer per hour", "mile per hour"],
    [40, "nautical mile", "kilometer"],
    [11, "stone", "kilogram"],
    [2, "imperial gallon", "US cup"],
    [30, "knot", "kilometer per hour"],
  ];
  pairs.forEach(([v, from, to], i) => {
    const r = convertU(v, from, to);
    add({
      query: `Convert ${v} ${from}s to ${to}s.`.replace("inchs", "inches").replace("foots", "feet")
        .replace("mile per hours", "miles per hour").replace(
          "kilometer per hours",
          "kilometers per hour",
        ),
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [{ tool: "convert_units", args: { value: v, from_unit: from, to_unit: to } }],
      answer: `${v} ${from} = ${round(r, 3)} ${to}.`,
      check: { answer: { number: { value: round(r, 3), tol: tol(r) } } },
    });
  });
  // 2. temperatures (an offset, not just a factor)
  ([[98.6, "fahrenheit", "celsius"], [-40, "celsius", "fahrenheit"], [300, "kelvin", "celsius"], [
    21.5,
    "celsius",
    "kelvin",
  ], [451, "fahrenheit", "kelvin"]] as [number, string, string][])
    .forEach(([v, from, to], i) => {
      const r = convertU(v, from, to);
      add({
        query: `What is ${v} degrees ${from[0].toUpperCase() + from.slice(1)} in ${to}?`.replace(
          "degrees Kelvin",
          "kelvin",
        ),
        split: splitOf(i),
        tags: ["read", "single-step"],
        gold: [{ tool: "convert_units", args: { value: v, from_unit: from, to_unit: to } }],
        answer: `${v} ${from} is ${round(r, 2)} ${to}.`,
        check: { answer: { number: { value: round(r, 2), tol: 0.01 } } },
      });
    });
  // 3. money at today's rate
  const codes = CURRENCIES.map((c) => c[0]);
  for (let i = 0; i < 7; i++) {
    const [from, to] = rng.shuffle(codes).slice(0, 2);
    const amount = rng.pick([50, 120, 250, 999, 1500, 75.5, 3200]);
    const r = fx(amount, from, to);
    add({
      query: `How much is ${amount} ${from} in ${to} at today's rate?`,
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [{ tool: "convert_currency", args: { amount, from_currency: from, to_currency: to } }],
      answer: `${amount} ${from} = ${r.toFixed(2)} ${to} (rate of 2026-01-15).`,
      check: { answer: { number: { value: r, tol: 0.01 } } },
    });
  }
  // 4. money at a past date's rate
  for (let i = 0; i < 6; i++) {
    const [from, to] = rng.shuffle(codes).slice(0, 2);
    const date = DAYS[i % 4];
    const amount = rng.pick([40, 200, 640, 1250, 88]);
    const r = fx(amount, from, to, date);
    add({
      query: `What was ${amount} ${from} worth in ${to} at the rate of ${longDate(date)}?`,
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [{
        tool: "convert_currency",
        args: { amount, from_currency: from, to_currency: to, date },
      }],
      answer: `${amount} ${from} = ${r.toFixed(2)} ${to} on ${date}.`,
      check: { answer: { number: { value: r, tol: 0.01 } } },
    });
  }
  // 5. a country's currency, then a conversion (country → code → convert)
  const single = currencies.filter((c) => !c.countries.includes(";") && c.code !== "USD");
  rng.shuffle(single).slice(0, 7).forEach((c, i) => {
    const amount = rng.pick([100, 250, 500, 1000]);
    const r = fx(amount, "USD", c.code);
    add({
      query:
        `I'm travelling to ${c.countries} with ${amount} US dollars. How much is that in the local currency today?`,
      split: splitOf(i),
      tags: ["read", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_currency", args: { query: c.countries } },
        { tool: "convert_currency", args: { amount, from_currency: "USD", to_currency: c.code } },
      ],
      answer: `${amount} USD is ${r.toFixed(2)} ${c.code} (${c.name}).`,
      check: { answer: { contains: [c.code], number: { value: r, tol: 0.01 } } },
    });
  });
  // 6. a rate on a date
  for (let i = 0; i < 5; i++) {
    const [b, qc] = rng.shuffle(codes.filter((c) => c !== "USD")).slice(0, 2);
    const date = DAYS[1 + i % 5];
    const r = round(rate(qc, date) / rate(b, date), 6);
    add({
      query: `What was the ${b} to ${qc} exchange rate on ${
        longDate(date)
      }? (How many ${qc} for one ${b}.)`,
      split: splitOf(i),
      tags: ["read", "single-step"],
      gold: [{ tool: "get_exchange_rate", args: { base: b, quote: qc, date } }],
      answer: `1 ${b} = ${round(r, 4)} ${qc} on ${date}.`,
      check: { answer: { number: { value: round(r, 4), tol: Math.max(0.0001, r * 1e-3) } } },
    });
  }
  // 7. between two countries' currencies (held-out shape)
  for (let i = 0; i < 5; i++) {
    const [a, b] = rng.shuffle(single).slice(0, 2);
    const amount = rng.pick([300, 800, 2000]);
    const r = fx(amount, a.code, b.code);
    add({
      query:
        `A supplier in ${a.countries} charges ${amount} in their local currency. What is that in the currency of ${b.countries}, at today's rate?`,
      split: "unseen",
      tags: ["read", "multi-step", "multi-hop"],
      gold: [
        { tool: "find_currency", args: { query: a.countries } },
        { tool: "find_currency", args: { query: b.countries } },
        { tool: "convert_currency", args: { amount, from_currency: a.code, to_currency: b.code } },
      ],
      answer: `${amount} ${a.code} = ${r.toFixed(2)} ${b.code}.`,
      check: { answer: { contains: [b.code], number: { value: r, tol: 0.01 } } },
    });
  }
  // 8. the best day in a week of rates (held-out shape)
  let made = 0;
  for (const c of rng.shuffle(codes.filter((c) => c !== "USD"))) {
    if (made >= 4) break;
    const rs = DAYS.map((d) => rate(c, d));
    const max = Math.max(...rs);
    if (rs.filter((x) => x === max).length > 1) continue;
    const day = DAYS[rs.indexOf(max)];
    add({
      query: `Between ${longDate(DAYS[0])} and ${
        longDate(DAYS.at(-1)!)
      }, on which day did one US dollar buy the most ${c}?`,
      split: "unseen",
      tags: ["read", "single-step", "filter"],
      gold: [{
        tool: "rate_history",
        args: { base: "USD", quote: c, date_from: DAYS[0], date_to: DAYS.at(-1)! },
      }],
      answer: `On ${day}: 1 USD = ${max} ${c}.`,
      check: { answer: { regex: `${day}|${longDate(day).replace(", 2026", "")}` } },
    });
    made++;
  }
  // 9. a chain: a unit conversion whose result is the amount of a currency conversion
  ([[1.89, "EUR", "liter", "US gallon", "USD"], [12.5, "GBP", "kilogram", "pound", "USD"], [
    2.4,
    "CHF",
    "liter",
    "imperial gallon",
    "GBP",
  ], [980, "JPY", "kilogram", "pound", "EUR"]] as [number, string, string, string, string][])
    .forEach(([price, cur, per, per2, to], i) => {
      const qty = convertU(1, per2, per);
      const local = round(price * qty, 2);
      const r = fx(local, cur, to);
      add({
        query:
          `Something costs ${price} ${cur} per ${per}. What is that per ${per2}, in ${to}? (Convert one ${per2} to ${per}s first.)`,
        split: splitOf(i),
        tags: ["read", "multi-step", "multi-hop", "compute"],
        gold: [
          { tool: "convert_units", args: { value: 1, from_unit: per2, to_unit: per } },
          {
            tool: "convert_currency",
            args: { amount: local, from_currency: cur, to_currency: to },
          },
        ],
        answer: `One ${per2} is ${round(qty, 4)} ${per}s, so ${local} ${cur}, which is ${
          r.toFixed(2)
        } ${to}.`,
        check: { answer: { number: { value: r, tol: 0.02 } } },
      });
    });
  // 10. an alert a percentage above today's rate (the rate feeds the threshold; write)
  const inboxes = [
    "treasury@northwind.example",
    "fx.desk@lumen-imports.example",
    "cfo@bluefjord.example",
    "ana@freelance.example",
  ];
  for (let i = 0; i < 4; i++) {
    const [b, qc] = rng.shuffle(codes).slice(0, 2);
    const pct = [2, 3, 5, 1][i];
    const r = round(rate(qc) / rate(b), 6);
    const threshold = round(r * (1 + pct / 100), 4);
    add({
      query: `Email ${
        inboxes[i]
      } when one ${b} buys more than ${pct}% above today's ${b} to ${qc} rate. Use the threshold rounded to 4 decimals.`,
      split: splitOf(i),
      tags: ["write", "multi-step", "multi-hop", "compute"],
      gold: [
        { tool: "get_exchange_rate", args: { base: b, quote: qc } },
        {
          tool: "create_rate_alert",
          args: { base: b, quote: qc, direction: "above", threshold, email: inboxes[i] },
        },
      ],
      answer: `Today 1 ${b} = ${r} ${qc}; alert RA-101 emails ${
        inboxes[i]
      } when it goes above ${threshold}.`,
      check: {
        answer: { number: { value: threshold, tol: 0.0001 } },
        state:
          `$count(state.rate_alerts) = 1 and state.rate_alerts[0].base = '${b}' and state.rate_alerts[0].quote = '${qc}' and state.rate_alerts[0].direction = 'above' and $abs(state.rate_alerts[0].threshold - ${threshold}) < 0.00005 and state.rate_alerts[0].email = '${
            inboxes[i]
          }'`,
      },
    });
  }
  // 11. nothing here can do it
  [
    [
      "What is Apple's share price right now?",
      "the tools convert units and currencies; none has stock prices",
    ],
    ["Order 500 euros in cash to be delivered to my office.", "no tool orders or delivers cash"],
    ["What will the EUR to USD rate be next month?", "no tool forecasts exchange rates"],
  ].forEach(([text, why], i) =>
    add({
      query: text,
      split: splitOf(i),
      tags: ["no-tool"],
      gold: [],
      answer: `I can't do that: ${why}.`,
      check: { answer: { regex: REFUSAL }, state: "$count(state.rate_alerts) = 0" },
    })
  );

  return {
    name: "convert",
    files: {
      "units.csv": csv(units, ["unit", "symbol", "dimension", "factor", "offset"]),
      "currencies.csv": csv(currencies, ["code", "name", "countries"]),
      "rates.csv": csv(rates, ["date", "code", "per_usd"]),
    },
    tasks,
  };
}
